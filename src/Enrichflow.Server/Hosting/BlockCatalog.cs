using Enrichflow.Blocks.Dedupe;
using Enrichflow.Blocks.Enrichment;
using Enrichflow.Blocks.Enrichment.Providers;
using Enrichflow.Blocks.Notebooks;
using Enrichflow.Blocks.Converters;
using Enrichflow.Blocks.RowOps;
using Enrichflow.Blocks.Sources;
using Enrichflow.Blocks.Validation;
using Enrichflow.Blocks.Webhooks;
using Enrichflow.Core.Blocks;

namespace Enrichflow.Blocks;

/// <summary>Every block this build of Enrichflow offers (API.md §5).</summary>
public static class BlockCatalog
{
    public static IReadOnlyList<BlockType> All() =>
    [
        new WebhookBlockType(),
        new ReadCsvBlockType(),
        new ValidateEmailBlockType(),
        new ValidatePhoneBlockType(),
        new FilterBlockType(),
        new TransformBlockType(),
        new RemoveColumnsBlockType(),
        new CompanyToLeadsBlockType(),
        new LeadsToCompanyBlockType(),
        new DeduplicateBlockType(),
        new Merge.MergeBlockType(),
        new AppendToNotebookBlockType(),
        new DeduplicateWrtNotebookBlockType(),
        new ReadNotebookBlockType(),
        new Export.ExportBlockType(),
        new OutgoingWebhookBlockType(),
    ];

    public static IServiceCollection AddEnrichflowBlocks(this IServiceCollection services)
    {
        foreach (var type in All())
        {
            services.AddSingleton(type);
        }

        // The enrichment blocks check provider names against the server's configured providers.
        services.AddSingleton<BlockType>(sp => new EnrichCompanyBlockType(Providers(sp)));
        services.AddSingleton<BlockType>(sp => new EnrichPersonBlockType(Providers(sp)));
        services.AddSingleton<BlockType>(sp => new FindEmailBlockType(Providers(sp)));
        services.AddSingleton<BlockType>(sp => new FindPhoneBlockType(Providers(sp)));

        return services;
    }

    /// <summary>The configured providers; none in a host without them (an engine test), where every provider name is unknown.</summary>
    private static ProviderRegistry Providers(IServiceProvider services) => services.GetService<ProviderRegistry>() ?? new ProviderRegistry([]);
}

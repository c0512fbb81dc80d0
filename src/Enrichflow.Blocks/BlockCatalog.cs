using System.Reflection;
using Enrichflow.Blocks.Slack;
using Enrichflow.Blocks.Validation;
using Enrichflow.Core.Blocks;
using Enrichflow.Providers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Enrichflow.Blocks;

/// <summary>
/// Every block this build of Enrichflow offers (docs/api.md §5): each public, non-abstract <see cref="BlockType"/>
/// of this assembly, found by reflection, so a new block type is one file and needs no registration here.
/// </summary>
public static class BlockCatalog
{
    /// <summary>The block types of this assembly, in a stable order (by name).</summary>
    public static IReadOnlyList<Type> Types { get; } =
    [
        .. typeof(BlockCatalog).Assembly.GetExportedTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && t.IsSubclassOf(typeof(BlockType)))
            .OrderBy(t => t.FullName, StringComparer.Ordinal),
    ];

    /// <summary>
    /// Adds every block type as a <see cref="BlockType"/> service, built from the container (the enrichment blocks
    /// check provider names against the configured providers), and the services blocks use at run time
    /// (<c>validate_email</c>'s resolver, with the <c>Email</c> section of <paramref name="configuration"/>).
    /// </summary>
    public static IServiceCollection AddBlocks(this IServiceCollection services, IConfiguration? configuration = null)
    {
        foreach (var type in Types)
        {
            services.AddSingleton(sp => Create(sp, type));
        }

        services.AddEnrichflowValidation(o => configuration?.GetSection("Email").Bind(o));
        services.AddEnrichflowSlack(configuration?.GetSection("Slack"));
        return services;
    }

    /// <summary>
    /// One block type from the container. A type that takes the <see cref="ProviderRegistry"/> gets the configured
    /// one, or an empty one in a host without providers (an engine test), where every provider name is unknown.
    /// </summary>
    private static BlockType Create(IServiceProvider services, Type type)
    {
        var wantsProviders = type.GetConstructors(BindingFlags.Public | BindingFlags.Instance)
            .Any(c => c.GetParameters().Any(p => p.ParameterType == typeof(ProviderRegistry)));
        object[] arguments = wantsProviders ? [services.GetService<ProviderRegistry>() ?? new ProviderRegistry([])] : [];
        return (BlockType)ActivatorUtilities.CreateInstance(services, type, arguments);
    }
}

using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Enrichflow.Core.Blocks;
using Enrichflow.Providers;
using Enrichflow.Providers.Kinds;

namespace Enrichflow.Blocks.Web;

/// <summary>Specs of <c>scrape_web</c>: the column with the page's URL, what to keep of the page, and the provider that fetches it.</summary>
public sealed record ScrapeWebSpecs(
    [property: Description("The column holding the URL (https is assumed when it has no scheme).")] string UrlField = "website",
    [property: Description("Any of title, description, text, markdown, links, emails, phones; all of them by default.")] IReadOnlyList<string>? Return = null,
    [property: Description("The most of a page that is read, in bytes; the rest is cut off.")] long MaxBytes = ScrapeWebBlockType.DefaultMaxBytes,
    [property: Description("A provider of kind website named in the server configuration; by default the first one configured.")] string? Provider = null);

/// <summary>
/// <c>scrape_web</c> (docs/api.md §5.3): fetches each row's page through a <c>website</c> provider (so through the
/// outbound guard, with redirects checked, paced by the provider's limits and cached like enrichment answers) and
/// adds <c>web_url</c>, <c>web_status</c> and one <c>web_*</c> column per returned part.
/// </summary>
public sealed class ScrapeWebBlockType(ProviderRegistry providers) : BlockType<ScrapeWebSpecs>
{
    public const long DefaultMaxBytes = 2 * 1024 * 1024;

    /// <summary>The parts a page can give, with the column type of each.</summary>
    internal static readonly IReadOnlyList<(string Name, ReturnFieldType Type)> Parts =
    [
        ("title", ReturnFieldType.Str),
        ("description", ReturnFieldType.Str),
        ("text", ReturnFieldType.Str),
        ("markdown", ReturnFieldType.Str),
        ("links", ReturnFieldType.ListStr),
        ("emails", ReturnFieldType.ListStr),
        ("phones", ReturnFieldType.ListStr),
    ];

    public override string Name => "scrape_web";

    public override string SpecsExample => """
        {"url_field": "website", "return": ["title", "description", "emails"]}
        """;

    public override string Description =>
        "Fetches the page at each row's url_field (default website) through a website provider (outbound guard: private "
        + "addresses refused unless allow-listed, redirects checked; paced by the provider's limits; answers cached per "
        + "organization) and adds web_url, web_status (ok, not_found, failed) and web_<part> for each part of return "
        + "(title, description, text, markdown, links, emails, phones; default all). A page that cannot be fetched fails its "
        + "row, which goes to rejects with the reason; the run goes on.";

    protected override CompiledBlock? Compile(ScrapeWebSpecs specs, BlockCompileContext context)
    {
        var id = context.Definition.BlockId;
        if (string.IsNullOrWhiteSpace(specs.UrlField))
        {
            context.AddError("url_field", $"Block '{id}': url_field must name a column.");
        }

        var parts = new List<(string Name, ReturnFieldType Type)>();
        var wanted = specs.Return ?? [.. Parts.Select(p => p.Name)];
        if (wanted.Count == 0)
        {
            context.AddError("return", $"Block '{id}': return must name at least one of {string.Join(", ", Parts.Select(p => p.Name))} (leave it out for all).");
        }

        for (var i = 0; i < wanted.Count; i++)
        {
            var name = wanted[i]?.Trim().ToLowerInvariant();
            var part = Parts.FirstOrDefault(p => p.Name == name);
            if (part.Name is null)
            {
                context.AddError(["return", i], $"Block '{id}': return[{i}] '{wanted[i]}' is not one of {string.Join(", ", Parts.Select(p => p.Name))}.");
            }
            else if (!parts.Contains(part))
            {
                parts.Add(part);
            }
        }

        if (specs.MaxBytes <= 0)
        {
            context.AddError("max_bytes", $"Block '{id}': max_bytes must be more than 0 (got {specs.MaxBytes}).");
        }

        return Provider(specs.Provider, id, context) is { } provider
            ? new ScrapeWebBlock(specs.UrlField, parts, specs.MaxBytes, provider)
            : null;
    }

    private IEnrichmentProvider? Provider(string? name, string id, BlockCompileContext context)
    {
        var websites = providers.Names.Where(n => providers.Find(n)?.Kind == ProviderKind.Website).ToList();
        if (string.IsNullOrWhiteSpace(name))
        {
            if (websites.Count == 0)
            {
                context.AddError("provider",
                    $"Block '{id}': scrape_web needs a provider of kind 'website' and none is configured (providers on this server: {string.Join(", ", providers.Names)}); add one under Providers, e.g. \"web\": {{\"Kind\": \"website\"}}.");
                return null;
            }

            return providers.Find(websites[0]);
        }

        if (providers.Find(name) is not { } provider)
        {
            context.AddError("provider", $"Block '{id}': unknown provider '{name}'. Providers of kind 'website' on this server: {Listed(websites)}.");
            return null;
        }

        if (provider.Kind != ProviderKind.Website)
        {
            context.AddError("provider", $"Block '{id}': provider '{name}' is not of kind 'website', so it cannot fetch pages. Providers of kind 'website' on this server: {Listed(websites)}.");
            return null;
        }

        return provider;
    }

    private static string Listed(List<string> names) => names.Count == 0 ? "none (add one under Providers, e.g. \"web\": {\"Kind\": \"website\"})" : string.Join(", ", names);
}

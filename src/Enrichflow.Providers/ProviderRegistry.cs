using Enrichflow.Providers.Outbound;

using Enrichflow.Providers.Kinds;

namespace Enrichflow.Providers;

/// <summary>
/// The configured providers by name (API.md §8). Workflows name providers, never configure them; with none
/// configured, the <c>sample</c> lookup over the shipped <c>samples/companies.csv</c> is there so a new user can
/// enrich offline.
/// </summary>
public sealed class ProviderRegistry
{
    private readonly Dictionary<string, IEnrichmentProvider> _providers;

    public ProviderRegistry(IEnumerable<IEnrichmentProvider> providers)
    {
        ArgumentNullException.ThrowIfNull(providers);
        _providers = new Dictionary<string, IEnrichmentProvider>(StringComparer.OrdinalIgnoreCase);
        var names = new List<string>();
        foreach (var provider in providers)
        {
            if (!_providers.TryAdd(provider.Name, provider))
            {
                throw new ArgumentException($"Two providers are named '{provider.Name}'.", nameof(providers));
            }

            names.Add(provider.Name);
        }

        Names = names;
    }

    /// <summary>The provider names, in configuration order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The provider a block uses when it names none: the only (or first) configured one, else <c>sample</c>.</summary>
    public string DefaultName => Names.Count > 0 ? Names[0] : ProviderKinds.SampleName;

    /// <summary>The provider of that name (names are case-insensitive, like configuration keys), or null.</summary>
    public IEnrichmentProvider? Find(string name) => _providers.GetValueOrDefault(name);

    /// <summary>Makes every provider of a configuration that <see cref="ProviderOptionsValidation"/> accepted (lookup tables are loaded here).</summary>
    public static ProviderRegistry Create(ProvidersOptions configuration, IHttpClientFactory clients, OutboundGuard guard, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var providers = new List<IEnrichmentProvider>();
        foreach (var (name, options) in configuration.Providers)
        {
            var resolved = ResolvedProviderOptions.Resolve(name, options);
            providers.Add(resolved.Kind switch
            {
                ProviderKinds.Sixtyfour => new SixtyfourProvider(resolved, clients, time),
                ProviderKinds.OpenAiCompatible => new OpenAiCompatibleProvider(resolved, clients),
                ProviderKinds.Http => new HttpTemplateProvider(resolved, clients),
                ProviderKinds.Website => new WebsiteProvider(resolved, clients, guard),
                ProviderKinds.Lookup => new LookupProvider(resolved, LookupTable.Load(
                    LookupTable.Locate(options.Path!, configuration.DataDirectory, out _) ?? throw new FileNotFoundException($"Providers:{name}:Path '{options.Path}' was not found."),
                    options.KeyField!)),
                _ => throw new InvalidOperationException($"Providers:{name}:Kind '{resolved.Kind}' is not a provider kind."),
            });
        }

        return new ProviderRegistry(providers);
    }
}

using Enrichflow.Providers.Outbound;

using Enrichflow.Providers.Kinds;

namespace Enrichflow.Providers;

/// <summary>
/// The configured providers by name (docs/api.md §8). Workflows name providers, never configure them; with none
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
    public string DefaultName => Names.Count > 0 ? Names[0] : ProvidersOptions.SampleName;

    /// <summary>The provider of that name (names are case-insensitive, like configuration keys), or null.</summary>
    public IEnrichmentProvider? Find(string name) => _providers.GetValueOrDefault(name);

    /// <summary>
    /// Makes every provider of options that <see cref="ProvidersOptionsValidator"/> accepted, each by its kind's
    /// <see cref="ProviderKindDescriptor"/> (lookup tables are loaded here).
    /// </summary>
    public static ProviderRegistry Create(ProvidersOptions options, IHttpClientFactory clients, OutboundGuard guard, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var context = new ProviderCreationContext(clients, guard, time, options.DataDirectory);
        var providers = new List<IEnrichmentProvider>();
        foreach (var (name, provider) in options.Providers)
        {
            var resolved = ResolvedProviderOptions.Resolve(name, provider);
            providers.Add(resolved.Descriptor.Create(resolved, context));
        }

        return new ProviderRegistry(providers);
    }
}

using Enrichflow.Providers.Outbound;

namespace Enrichflow.Providers.Kinds;

/// <summary>
/// One provider kind (docs/api.md §8): its name in configuration, the defaults its providers take, the problems it finds in
/// their options, and how it makes them. One sealed subclass per kind, each in its own file beside its provider,
/// found by <see cref="ProviderKinds"/>.
/// </summary>
public abstract class ProviderKindDescriptor
{
    /// <summary>Kinds are defined in this assembly only.</summary>
    private protected ProviderKindDescriptor()
    {
    }

    public abstract ProviderKind Kind { get; }

    /// <summary>The name in configuration (<c>Providers:NAME:Kind</c>) and in <c>GET /providers</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The limits and price of a provider that sets none of <c>RequestsPerMinute</c>, <c>MaxConcurrency</c>, <c>TimeoutSeconds</c>, <c>CreditsPerCall</c>.</summary>
    public abstract ProviderLimits DefaultLimits { get; }

    /// <summary>The operations of a provider whose <c>Operations</c> is empty.</summary>
    public abstract IReadOnlyList<EnrichmentOperation> DefaultOperations { get; }

    /// <summary>
    /// Every operation a provider of this kind can be configured for (<c>Operations</c>); validation refuses the others.
    /// By default the four enrichment operations and the defaults (so a chat model may also be asked to find an email,
    /// but never to look a person up by email or phone).
    /// </summary>
    public virtual IReadOnlyList<EnrichmentOperation> SupportedOperations =>
        [.. new[] { EnrichmentOperation.EnrichCompany, EnrichmentOperation.EnrichPerson, EnrichmentOperation.FindEmail, EnrichmentOperation.FindPhone }.Union(DefaultOperations)];

    /// <summary>The <c>BaseUrl</c> of a provider that gives none; null when the kind has no default.</summary>
    public virtual string? DefaultBaseUrl => null;

    /// <summary>
    /// True when its providers call a remote service through the named <see cref="HttpClient"/>
    /// <c>provider:NAME</c> (retries, the provider's rate limit and the attempt timeout in its pipeline).
    /// </summary>
    public abstract bool UsesHttpClient { get; }

    /// <summary>
    /// True when its calls may be sent again after an attempt whose outcome is unknown (a timeout, a connection that broke
    /// after the request went out, a 504), because doing one twice costs nothing more (reading public pages). Otherwise
    /// only GET and HEAD requests are (job polls, templated GETs); a paid POST that failed so is not retried, since the
    /// provider may have charged it, and the row's reason says so (docs/api.md §8).
    /// </summary>
    public virtual bool CallsAreIdempotent => false;

    /// <summary>The problem of a provider of this kind without an <c>ApiKey</c>; null when it needs none.</summary>
    internal virtual string? MissingApiKeyProblem(string at) => null;

    /// <summary>Adds the problems of the kind's own settings, each naming its path under <paramref name="at"/> (<c>Providers:NAME</c>).</summary>
    internal virtual void AddProblems(string at, ProviderOptions options, string dataDirectory, List<string> problems)
    {
    }

    /// <summary>Makes the provider of options that validation accepted.</summary>
    internal abstract IEnrichmentProvider Create(ResolvedProviderOptions options, ProviderCreationContext context);

    /// <summary>A <c>BaseUrl</c> must be an absolute http or https URL; <paramref name="required"/> when the kind has no default.</summary>
    private protected static void AddBaseUrlProblems(string at, string? baseUrl, bool required, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(baseUrl))
        {
            if (required)
            {
                problems.Add($"{at}:BaseUrl is missing; give the API's address (like https://api.example.com/v1/).");
            }
        }
        else if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            problems.Add($"{at}:BaseUrl '{baseUrl}' is not an absolute http or https URL.");
        }
    }
}

/// <summary>What a kind's factory may use: the named clients, the outbound guard, the clock, and where relative lookup paths are found first.</summary>
internal sealed record ProviderCreationContext(IHttpClientFactory Clients, OutboundGuard Guard, TimeProvider Time, string DataDirectory);

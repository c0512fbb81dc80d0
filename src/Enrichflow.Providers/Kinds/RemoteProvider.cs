namespace Enrichflow.Providers.Kinds;

/// <summary>
/// What every provider that calls a remote HTTP API shares: its resolved options (name, limits) and its named,
/// resilient client. A kind adds its operations and how it asks.
/// </summary>
public abstract class RemoteProvider : IEnrichmentProvider
{
    private protected RemoteProvider(ResolvedProviderOptions options, IHttpClientFactory clients)
    {
        Options = options;
        Http = new ProviderHttp(options, clients);
    }

    public ResolvedProviderOptions Options { get; }

    public string Name => Options.Name;

    public abstract ProviderKind Kind { get; }

    public ProviderLimits Limits => Options.Limits;

    public bool IsLocal => false;

    private protected ProviderHttp Http { get; }

    public abstract bool Supports(EnrichmentOperation operation);

    public abstract Task<EnrichmentAnswer> CallAsync(EnrichmentRequest request, CancellationToken cancellationToken);
}

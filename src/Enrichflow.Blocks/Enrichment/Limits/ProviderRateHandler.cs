namespace Enrichflow.Blocks.Enrichment.Limits;

/// <summary>
/// SKELETON (to be implemented): sits in a provider's HttpClient pipeline below the retry handler, so that every
/// attempt takes a token from the provider's bucket, and a 429 slows the bucket down.
/// </summary>
public sealed class ProviderRateHandler(ProviderLimiter limiter) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await limiter.AcquireRequestAsync(cancellationToken);
        return await base.SendAsync(request, cancellationToken);
    }
}

using System.Net;
using Enrichflow.Providers.Outbound;

namespace Enrichflow.Providers.Limits;

/// <summary>
/// Sits in a provider's HttpClient pipeline below the retry handler, so that every attempt takes a token from the
/// provider's bucket in the turn of the calling organization (<see cref="ProviderCallOrg"/>), and a 429 holds and slows the bucket (its <c>Retry-After</c>, delta seconds or an HTTP date,
/// says until when). The response goes back up unchanged: the retry handler decides whether to try again.
/// </summary>
public sealed class ProviderRateHandler(ProviderLimiter limiter) : DelegatingHandler
{
    /// <summary>
    /// Set on a request that takes no token (a job-status poll: it buys nothing, and metering it would let polls crowd
    /// out the paid requests). A 429 it gets still holds and slows the provider's requests.
    /// </summary>
    public static readonly HttpRequestOptionsKey<bool> Unmetered = new("enrichflow.unmetered");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.Options.TryGetValue(Unmetered, out var unmetered) || !unmetered)
        {
            await limiter.AcquireRequestAsync(ProviderCallOrg.Current ?? "", cancellationToken);
        }

        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            limiter.OnThrottled(RetryAfter.Parse(response.Headers, limiter.Time));
        }

        return response;
    }
}

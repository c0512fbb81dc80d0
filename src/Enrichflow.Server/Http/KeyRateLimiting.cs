using System.Globalization;
using System.Threading.RateLimiting;
using Enrichflow.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Enrichflow.Server.Http;

/// <summary>
/// Requests per API key (docs/api.md §1, 429): a token bucket per authenticated key (its id), refilled every second;
/// a request over the limit gets 429 with <c>Retry-After</c>. Asked by <see cref="Auth.ApiKeyFilter"/> after the key
/// is known, so requests with invalid keys (401) never spend a real key's tokens.
/// </summary>
public sealed class KeyRateLimiter : IDisposable
{
    private readonly LimitsOptions _limits;
    private readonly PartitionedRateLimiter<string> _limiter;

    public KeyRateLimiter(IOptions<ServerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _limits = options.Value.Limits;
        var limits = _limits;
        _limiter = PartitionedRateLimiter.Create<string, string>(keyId => limits.RequestsPerSecondPerKey <= 0
            ? RateLimitPartition.GetNoLimiter(keyId)
            : RateLimitPartition.GetTokenBucketLimiter(keyId, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(1, limits.BurstPerKey),
                TokensPerPeriod = limits.RequestsPerSecondPerKey,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    /// <summary>Null when the key <paramref name="keyId"/> may make this request; else the 429 to answer (Retry-After set on <paramref name="http"/>).</summary>
    public IResult? TryAcquire(HttpContext http, string keyId)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var lease = _limiter.AttemptAcquire(keyId);
        if (lease.IsAcquired)
        {
            return null;
        }

        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
        http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Json(
            new ErrorBody($"Too many requests for this API key (limit {_limits.RequestsPerSecondPerKey} per second); retry after {retryAfter} s."),
            statusCode: StatusCodes.Status429TooManyRequests);
    }

    public void Dispose() => _limiter.Dispose();
}

public static class KeyRateLimiting
{
    public static IServiceCollection AddKeyRateLimiting(this IServiceCollection services)
    {
        services.AddSingleton<KeyRateLimiter>();
        return services;
    }
}

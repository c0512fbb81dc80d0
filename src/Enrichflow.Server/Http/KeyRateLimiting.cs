using System.Globalization;
using System.Threading.RateLimiting;
using Enrichflow.Server.Auth;
using Enrichflow.Server.Hosting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Enrichflow.Server.Http;

/// <summary>
/// Requests per API key (docs/api.md §1, 429): a token bucket per key, refilled every second; a request over the limit
/// gets 429 with <c>Retry-After</c>. Requests without a key (downloads, probes) are not limited here.
/// </summary>
public static class KeyRateLimiting
{
    public static IServiceCollection AddKeyRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<ServerOptions>>((options, server) =>
        {
            var limits = server.Value.Limits;
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var key = context.Request.Headers[ApiKeyFilter.Header].ToString();
                if (key.Length == 0 || limits.RequestsPerSecondPerKey <= 0)
                {
                    return RateLimitPartition.GetNoLimiter("");
                }

                return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = Math.Max(1, limits.BurstPerKey),
                    TokensPerPeriod = limits.RequestsPerSecondPerKey,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            options.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                context.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await context.HttpContext.Response.WriteAsJsonAsync(
                    new ErrorBody($"Too many requests for this API key (limit {limits.RequestsPerSecondPerKey} per second); retry after {retryAfter} s."),
                    cancellationToken);
            };
        });
        return services;
    }
}

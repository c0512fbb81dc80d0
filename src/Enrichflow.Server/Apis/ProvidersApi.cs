using Enrichflow.Core.Storage;
using Enrichflow.Providers;
using Enrichflow.Providers.Kinds;
using Enrichflow.Providers.Limits;
using Enrichflow.Server.Auth;

namespace Enrichflow.Server.Apis;

/// <summary>A configured provider as a workflow author sees it: its name and what it can do, never its URL or key.</summary>
public sealed record ProviderResponse(
    string Name,
    string Kind,
    IReadOnlyList<string> Operations,
    int RequestsPerMinute,
    int MaxConcurrency,
    double TimeoutSeconds,
    decimal CreditsPerCall,
    ProviderActivity? Activity,
    IReadOnlyList<ProviderNodeShare>? ClusterSlots);

/// <summary>
/// With limits shared by a cluster: one process's leased share of the provider's in-flight slots (what it holds,
/// counted against <c>max_concurrency</c>, and what it wants), from the store.
/// </summary>
public sealed record ProviderNodeShare(string Node, int Held, int Wanted, DateTimeOffset ExpiresAt);

/// <summary>What the provider's limits are doing now in this server (absent until its first call).</summary>
public sealed record ProviderActivity(int InFlight, int Waiting, double CurrentRequestsPerMinute, DateTimeOffset? ThrottledUntil);

/// <summary><c>GET /providers</c> (ours): the enrichment providers this server has, for the <c>provider</c> spec of enrichment blocks.</summary>
public static class ProvidersApi
{
    public static RouteGroupBuilder MapProvidersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/providers").RequireApiKey().WithTags("Providers");
        group.MapGet("", List)
            .WithSummary("The enrichment providers configured on this server (the names the provider spec of enrichment blocks takes), their operations, limits and current activity.");
        return group;
    }

    public static async Task<Ok<List<ProviderResponse>>> List(ProviderRegistry registry, ProviderLimiters limits, IServiceProvider services, CancellationToken cancellationToken)
    {
        var activity = limits.Snapshot().ToDictionary(s => s.Provider, StringComparer.Ordinal);
        var quotas = limits.AreShared ? services.GetService<IProviderQuotaStore>() : null;
        var providers = new List<ProviderResponse>();
        foreach (var p in registry.Names.Select(registry.Find).OfType<IEnrichmentProvider>())
        {
            List<ProviderNodeShare>? shares = null;
            if (quotas is not null && p.Limits.MaxConcurrency > 0)
            {
                shares = [.. (await quotas.GetSlotSharesAsync(p.Name, cancellationToken)).Select(share => new ProviderNodeShare(share.Node, share.Held, share.Wanted, share.ExpiresAt))];
            }

            providers.Add(new ProviderResponse(
                p.Name,
                p.Kind.ToWire(),
                [.. Enum.GetValues<EnrichmentOperation>().Where(p.Supports).Select(o => o.ToWire())],
                p.Limits.RequestsPerMinute,
                p.Limits.MaxConcurrency,
                p.Limits.Timeout.TotalSeconds,
                p.Limits.CreditsPerCall,
                activity.TryGetValue(p.Name, out var now) ? new ProviderActivity(now.InFlight, now.Waiting, Math.Round(now.CurrentRequestsPerMinute, 1), now.ThrottledUntil) : null,
                shares));
        }

        return TypedResults.Ok(providers);
    }
}

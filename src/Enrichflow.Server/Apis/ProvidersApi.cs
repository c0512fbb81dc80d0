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
    ProviderActivity? Activity);

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

    public static Ok<List<ProviderResponse>> List(ProviderRegistry registry, ProviderLimiters limits)
    {
        var activity = limits.Snapshot().ToDictionary(s => s.Provider, StringComparer.Ordinal);
        return TypedResults.Ok(registry.Names.Select(registry.Find).OfType<IEnrichmentProvider>().Select(p => new ProviderResponse(
            p.Name,
            p.Kind.ToWire(),
            [.. Enum.GetValues<EnrichmentOperation>().Where(p.Supports).Select(o => o.ToWire())],
            p.Limits.RequestsPerMinute,
            p.Limits.MaxConcurrency,
            p.Limits.Timeout.TotalSeconds,
            p.Limits.CreditsPerCall,
            activity.TryGetValue(p.Name, out var now) ? new ProviderActivity(now.InFlight, now.Waiting, Math.Round(now.CurrentRequestsPerMinute, 1), now.ThrottledUntil) : null)).ToList());
    }
}

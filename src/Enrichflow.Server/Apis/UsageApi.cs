using System.Globalization;
using Enrichflow.Core.Storage;
using Enrichflow.Providers.Orgs;
using Enrichflow.Server.Auth;
using Enrichflow.Server.Http;
using Microsoft.AspNetCore.Mvc;

namespace Enrichflow.Server.Apis;

/// <summary>One provider's use on one day.</summary>
public sealed record UsageDayResponse(string Date, string Provider, long Calls, long Hits, long Misses, long Failures, long CacheHits, double CreditsUsed);

/// <summary>One provider's use over the whole range.</summary>
public sealed record UsageProviderResponse(string Provider, long Calls, long Hits, long Misses, long Failures, long CacheHits, double CreditsUsed);

/// <summary>The answer of <c>GET /usage</c>: totals, then per provider, then per day and provider.</summary>
public sealed record UsageResponse(
    string From,
    string To,
    double CreditsUsed,
    long ProviderCalls,
    long CacheHits,
    IReadOnlyList<UsageProviderResponse> Providers,
    IReadOnlyList<UsageDayResponse> Days)
{
    /// <summary>The organization's limits and what it uses of each now (docs/api.md §1 "Organization limits").</summary>
    public required UsageLimitsResponse Limits { get; init; }
}

/// <summary>
/// One organization limit: the limit in force (null: unlimited), what is used of it now, what remains (null when
/// unlimited), and for credits the UTC day (<c>YYYY-MM-DD</c>) or month (<c>YYYY-MM</c>) they count in.
/// </summary>
public sealed record UsageLimitResponse(double? Limit, double Used, double? Remaining, string? Period = null)
{
    public static UsageLimitResponse Of(double? limit, double used, string? period = null) =>
        new(limit, Math.Round(used, 4), limit is { } l ? Math.Round(Math.Max(0, l - used), 4) : null, period);
}

/// <summary>Every organization limit; <c>max_running_runs</c> counts the runs queued or running.</summary>
public sealed record UsageLimitsResponse(
    UsageLimitResponse CreditsPerDay,
    UsageLimitResponse CreditsPerMonth,
    UsageLimitResponse MaxRunningRuns,
    UsageLimitResponse MaxQueuedRuns,
    UsageLimitResponse MaxStoredBytes);

/// <summary><c>GET /usage?from=&amp;to=</c> (docs/api.md §11): credits by provider and day for the caller's organization, and its limits (§1).</summary>
public static class UsageApi
{
    private const int MaxDays = 366;

    public static RouteGroupBuilder MapUsageApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/usage").RequireApiKey().WithTags("Usage");
        group.MapGet("", GetUsage)
            .WithSummary("Provider calls, cache hits and credits by provider and day (UTC); from and to are dates (YYYY-MM-DD), inclusive; the default is the last 30 days.");
        return group;
    }

    public static async Task<Results<Ok<UsageResponse>, BadRequest<ErrorBody>, UnprocessableEntity<ValidationBody>>> GetUsage(
        [FromQuery(Name = "from")] string? from,
        [FromQuery(Name = "to")] string? to,
        HttpContext http,
        IUsageStore usage,
        IOrgLimitStore orgLimits,
        OrgLimitsSource limitsInForce,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        if (!TryParseDay(to, "to", today, out var last, out var error) || !TryParseDay(from, "from", last.AddDays(-29), out var first, out error))
        {
            return error!;
        }

        if (first > last)
        {
            return ApiErrors.BadRequest($"'from' ({Format(first)}) is after 'to' ({Format(last)}).");
        }

        if (last.DayNumber - first.DayNumber + 1 > MaxDays)
        {
            return ApiErrors.BadRequest($"The range {Format(first)}..{Format(last)} is longer than {MaxDays} days; ask for it in parts.");
        }

        var orgId = http.Caller().OrgId;
        var rows = await usage.GetOrgUsageAsync(orgId, first, last, cancellationToken);
        var providers = rows.GroupBy(r => r.Provider, StringComparer.Ordinal)
            .Select(g => new UsageProviderResponse(g.Key, g.Sum(r => r.Calls), g.Sum(r => r.Hits), g.Sum(r => r.Misses), g.Sum(r => r.Failures),
                g.Sum(r => r.CacheHits), Math.Round(g.Sum(r => r.Credits), 4)))
            .OrderBy(p => p.Provider, StringComparer.Ordinal)
            .ToList();
        var days = rows.Select(r => new UsageDayResponse(Format(r.Day!.Value), r.Provider, r.Calls, r.Hits, r.Misses, r.Failures, r.CacheHits, Math.Round(r.Credits, 4))).ToList();
        var limits = await limitsInForce.GetAsync(orgId, cancellationToken);
        var used = await orgLimits.GetOrgFootprintAsync(orgId, today, cancellationToken);
        return TypedResults.Ok(new UsageResponse(Format(first), Format(last), Math.Round(rows.Sum(r => r.Credits), 4), rows.Sum(r => r.Calls), rows.Sum(r => r.CacheHits), providers, days)
        {
            Limits = new UsageLimitsResponse(
                UsageLimitResponse.Of(limits.CreditsPerDay, used.CreditsToday, Format(today)),
                UsageLimitResponse.Of(limits.CreditsPerMonth, used.CreditsThisMonth, today.ToString("yyyy-MM", CultureInfo.InvariantCulture)),
                UsageLimitResponse.Of(limits.MaxRunningRuns, used.QueuedRuns + used.RunningRuns),
                UsageLimitResponse.Of(limits.MaxQueuedRuns, used.QueuedRuns),
                UsageLimitResponse.Of(limits.MaxStoredBytes, used.StoredBytes)),
        });
    }

    private static bool TryParseDay(string? text, string name, DateOnly fallback, out DateOnly day, out UnprocessableEntity<ValidationBody>? error)
    {
        error = null;
        day = fallback;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        // A full timestamp is accepted too; its UTC date counts.
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day))
        {
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            day = DateOnly.FromDateTime(instant.UtcDateTime);
            return true;
        }

        error = ApiErrors.Unprocessable(["query", name], $"Input should be a date (YYYY-MM-DD); got '{text}'", "date_from_datetime_parsing");
        return false;
    }

    private static string Format(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

namespace Enrichflow.Core.Storage;

/// <summary>
/// Provider calls and their cost, per organization, run, block, provider and day (docs/api.md §11 <c>GET /usage</c>,
/// live status metrics, the estimate's past hit rates). Increments add up; nothing is ever overwritten.
/// </summary>
public interface IUsageStore
{
    /// <summary>Adds every increment in one transaction.</summary>
    Task AddUsageAsync(IReadOnlyList<UsageIncrement> increments, CancellationToken cancellationToken);

    /// <summary>A run's totals per block and provider, ordered by block then provider.</summary>
    Task<IReadOnlyList<UsageTotals>> GetRunUsageAsync(Guid runId, CancellationToken cancellationToken);

    /// <summary>An organization's totals per day and provider for days in [from, to], ordered by day then provider.</summary>
    Task<IReadOnlyList<UsageTotals>> GetOrgUsageAsync(string orgId, DateOnly from, DateOnly to, CancellationToken cancellationToken);

    /// <summary>An organization's totals for one provider over all time (the estimate's past hit rate).</summary>
    Task<UsageTotals> GetProviderTotalsAsync(string orgId, string provider, CancellationToken cancellationToken);
}

/// <summary>
/// What one or more calls added. <see cref="Calls"/> are paid requests made; <see cref="CacheHits"/> answers read from the
/// cache instead; <see cref="JobsResumed"/> provider jobs found recorded and polled instead of submitted again (after a
/// restart); <see cref="JobsResubmitted"/> recorded jobs the provider no longer knew, submitted once more;
/// <see cref="NotRetried"/> calls that timed out or broke off after they were sent and were not retried because the
/// provider may have charged them.
/// </summary>
public sealed record UsageIncrement(
    string OrgId,
    Guid RunId,
    string BlockId,
    string Provider,
    DateOnly Day,
    long Calls = 0,
    long Hits = 0,
    long Misses = 0,
    long Failures = 0,
    long CacheHits = 0,
    double Credits = 0,
    long JobsResumed = 0,
    long JobsResubmitted = 0,
    long NotRetried = 0);

/// <summary>Summed usage; the grouping fields that do not apply are null (e.g. <see cref="Day"/> in a run's totals).</summary>
public sealed record UsageTotals(
    string Provider,
    string? BlockId,
    DateOnly? Day,
    long Calls,
    long Hits,
    long Misses,
    long Failures,
    long CacheHits,
    double Credits,
    long JobsResumed = 0,
    long JobsResubmitted = 0,
    long NotRetried = 0);

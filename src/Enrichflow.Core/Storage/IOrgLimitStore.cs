namespace Enrichflow.Core.Storage;

/// <summary>
/// Per-organization limits (docs/api.md §1 "Organization limits"): credit budgets per UTC day and month, and quotas on
/// active runs, queued runs and stored bytes; and what an organization uses of each right now.
/// </summary>
public interface IOrgLimitStore
{
    /// <summary>The organization's limits, or null when none were set (every limit is then the server's default).</summary>
    Task<OrgLimits?> GetOrgLimitsAsync(string orgId, CancellationToken cancellationToken);

    /// <summary>Replaces the organization's limits (a null field is "not set").</summary>
    Task SetOrgLimitsAsync(OrgLimits limits, CancellationToken cancellationToken);

    /// <summary>Removes the organization's limits; false when it had none.</summary>
    Task<bool> ClearOrgLimitsAsync(string orgId, CancellationToken cancellationToken);

    /// <summary>
    /// What the organization uses: credits on <paramref name="day"/> and in its month (from the usage records), its
    /// runs by status, and the bytes of its uploads and result files (a blob both an upload and a result file counts once).
    /// </summary>
    Task<OrgFootprint> GetOrgFootprintAsync(string orgId, DateOnly day, CancellationToken cancellationToken);
}

/// <summary>An organization's limits; null means "not set" (the server's default, unlimited unless configured).</summary>
public sealed record OrgLimits(
    string OrgId,
    double? CreditsPerDay = null,
    double? CreditsPerMonth = null,
    int? MaxRunningRuns = null,
    int? MaxQueuedRuns = null,
    long? MaxStoredBytes = null,
    DateTimeOffset? UpdatedAt = null)
{
    /// <summary>Each field of these limits, or of <paramref name="defaults"/> where these leave it unset.</summary>
    public OrgLimits Over(OrgLimits defaults)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        return this with
        {
            CreditsPerDay = CreditsPerDay ?? defaults.CreditsPerDay,
            CreditsPerMonth = CreditsPerMonth ?? defaults.CreditsPerMonth,
            MaxRunningRuns = MaxRunningRuns ?? defaults.MaxRunningRuns,
            MaxQueuedRuns = MaxQueuedRuns ?? defaults.MaxQueuedRuns,
            MaxStoredBytes = MaxStoredBytes ?? defaults.MaxStoredBytes,
        };
    }
}

/// <summary>
/// What an organization uses now: credits recorded on one UTC day and in that day's month, runs that are
/// <see cref="RunStatus.Queued"/> and <see cref="RunStatus.Running"/>, and the bytes its uploads and result files hold.
/// </summary>
public sealed record OrgFootprint(double CreditsToday, double CreditsThisMonth, int QueuedRuns, int RunningRuns, long StoredBytes);

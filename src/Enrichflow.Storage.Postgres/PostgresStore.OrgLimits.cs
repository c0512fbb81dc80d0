using Enrichflow.Core.Storage;
using Npgsql;

namespace Enrichflow.Storage.Postgres;

public sealed partial class PostgresStore : IOrgLimitStore
{
    private const string SelectOrgLimits =
        "SELECT org_id, credits_per_day, credits_per_month, max_running_runs, max_queued_runs, max_stored_bytes, updated_at FROM org_limits";

    public Task<OrgLimits?> GetOrgLimitsAsync(string orgId, CancellationToken cancellationToken) =>
        ReadAsync(db => db.QueryFirstAsync($"{SelectOrgLimits} WHERE org_id = @org", ReadOrgLimits, ("org", orgId)), cancellationToken);

    public Task SetOrgLimitsAsync(OrgLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return WriteAsync(db => db.ExecuteAsync(
            """
            INSERT INTO org_limits (org_id, credits_per_day, credits_per_month, max_running_runs, max_queued_runs, max_stored_bytes, updated_at)
            VALUES (@org, @day, @month, @running, @queued, @bytes, @updated)
            ON CONFLICT (org_id) DO UPDATE SET credits_per_day = excluded.credits_per_day, credits_per_month = excluded.credits_per_month,
                max_running_runs = excluded.max_running_runs, max_queued_runs = excluded.max_queued_runs,
                max_stored_bytes = excluded.max_stored_bytes, updated_at = excluded.updated_at
            """,
            ("org", limits.OrgId), ("day", limits.CreditsPerDay), ("month", limits.CreditsPerMonth), ("running", limits.MaxRunningRuns),
            ("queued", limits.MaxQueuedRuns), ("bytes", limits.MaxStoredBytes), ("updated", limits.UpdatedAt ?? DateTimeOffset.UtcNow)), cancellationToken);
    }

    public Task<bool> ClearOrgLimitsAsync(string orgId, CancellationToken cancellationToken) =>
        WriteAsync(async db => await db.ExecuteAsync("DELETE FROM org_limits WHERE org_id = @org", ("org", orgId)) > 0, cancellationToken);

    /// <remarks>
    /// Credits come from <c>provider_usage</c> by its (org, day) index; runs from (org, status); bytes from the
    /// organization's uploads and its runs' result files, the same blob counted once (an interactive block's output
    /// is both a result file and an upload handle).
    /// </remarks>
    public Task<OrgFootprint> GetOrgFootprintAsync(string orgId, DateOnly day, CancellationToken cancellationToken) =>
        ReadAsync(async db =>
        {
            var monthStart = new DateOnly(day.Year, day.Month, 1);
            var (today, month) = (await db.QueryFirstAsync(
                """
                SELECT coalesce(sum(CASE WHEN day = @day THEN credits END), 0), coalesce(sum(credits), 0)
                FROM provider_usage WHERE org_id = @org AND day BETWEEN @first AND @day
                """,
                reader => Tuple.Create(reader.GetDouble(0), reader.GetDouble(1)),
                ("org", orgId), ("day", ToDay(day)), ("first", ToDay(monthStart))))!;
            var counts = await db.QueryAsync(
                "SELECT status, count(*)::int FROM runs WHERE org_id = @org AND status IN ('queued', 'running') GROUP BY status",
                reader => (Status: reader.GetString(0), Count: reader.GetInt32(1)), ("org", orgId));
            var bytes = await db.ScalarAsync<long>(
                """
                SELECT coalesce(sum(size), 0)::bigint FROM (
                    SELECT blob_key, size_bytes AS size FROM uploads WHERE org_id = @org
                    UNION
                    SELECT f.blob_key, f.file_size FROM result_files f JOIN runs r ON r.id = f.run_id WHERE r.org_id = @org) AS stored
                """,
                ("org", orgId));
            return new OrgFootprint(today, month,
                QueuedRuns: counts.Where(c => c.Status == "queued").Sum(c => c.Count),
                RunningRuns: counts.Where(c => c.Status == "running").Sum(c => c.Count),
                StoredBytes: bytes);
        }, cancellationToken);

    private static OrgLimits ReadOrgLimits(NpgsqlDataReader reader) => new(
        OrgId: reader.GetString(0),
        CreditsPerDay: reader.IsDBNull(1) ? null : reader.GetDouble(1),
        CreditsPerMonth: reader.IsDBNull(2) ? null : reader.GetDouble(2),
        MaxRunningRuns: reader.GetInt32OrNull(3),
        MaxQueuedRuns: reader.GetInt32OrNull(4),
        MaxStoredBytes: reader.IsDBNull(5) ? null : reader.GetInt64(5),
        UpdatedAt: reader.GetTime(6));
}

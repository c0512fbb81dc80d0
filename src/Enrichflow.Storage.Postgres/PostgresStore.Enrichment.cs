using System.Globalization;
using Enrichflow.Core.Storage;
using Npgsql;

namespace Enrichflow.Storage.Postgres;

public sealed partial class PostgresStore : IProviderCache, IUsageStore
{
    private const string DayFormat = "yyyy-MM-dd";

    private const string SelectCacheEntry =
        "SELECT org_id, provider, request_key, outcome, answer_json, credits, created_at FROM provider_cache";

    private const string UsageSums =
        """
        sum(calls)::bigint, sum(hits)::bigint, sum(misses)::bigint, sum(failures)::bigint, sum(cache_hits)::bigint, sum(credits),
        sum(jobs_resumed)::bigint, sum(jobs_resubmitted)::bigint, sum(not_retried)::bigint
        """;

    public Task<ProviderCacheEntry?> GetAsync(string orgId, string provider, string requestKey, CancellationToken cancellationToken) =>
        ReadAsync(db => db.QueryFirstAsync(
            $"{SelectCacheEntry} WHERE org_id = @org AND provider = @provider AND request_key = @key",
            ReadCacheEntry, ("org", orgId), ("provider", provider), ("key", requestKey)), cancellationToken);

    /// <remarks>One statement, the distinct keys as one array.</remarks>
    public Task<IReadOnlyDictionary<string, ProviderCacheEntry>> GetManyAsync(string orgId, string provider, IReadOnlyCollection<string> requestKeys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requestKeys);
        return ReadAsync<IReadOnlyDictionary<string, ProviderCacheEntry>>(async db =>
        {
            var found = new Dictionary<string, ProviderCacheEntry>(StringComparer.Ordinal);
            if (requestKeys.Count == 0)
            {
                return found;
            }

            foreach (var entry in await db.QueryAsync(
                $"{SelectCacheEntry} WHERE org_id = @org AND provider = @provider AND request_key = ANY(@keys::text[])",
                ReadCacheEntry, ("org", orgId), ("provider", provider), ("keys", requestKeys.Distinct(StringComparer.Ordinal).ToArray())))
            {
                found[entry.RequestKey] = entry;
            }

            return found;
        }, cancellationToken);
    }

    public Task PutAsync(ProviderCacheEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return WriteAsync(db => db.ExecuteAsync(
            """
            INSERT INTO provider_cache (org_id, provider, request_key, outcome, answer_json, credits, created_at)
            VALUES (@org, @provider, @key, @outcome, @answer, @credits, @created)
            ON CONFLICT (org_id, provider, request_key) DO UPDATE SET
                outcome = excluded.outcome, answer_json = excluded.answer_json, credits = excluded.credits, created_at = excluded.created_at
            """,
            ("org", entry.OrgId), ("provider", entry.Provider), ("key", entry.RequestKey), ("outcome", entry.Outcome),
            ("answer", entry.AnswerJson), ("credits", entry.Credits), ("created", entry.CreatedAt)), cancellationToken);
    }

    public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        WriteAsync(db => db.ExecuteAsync("DELETE FROM provider_cache WHERE created_at < @cutoff", ("cutoff", cutoff)), cancellationToken);

    /// <remarks>One transaction per call; one upsert per increment.</remarks>
    public Task AddUsageAsync(IReadOnlyList<UsageIncrement> increments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(increments);
        if (increments.Count == 0)
        {
            return Task.CompletedTask;
        }

        return WriteAsync(async db =>
        {
            foreach (var u in increments)
            {
                await db.ExecuteAsync(
                    """
                    INSERT INTO provider_usage (org_id, run_id, block_id, provider, day, calls, hits, misses, failures, cache_hits, credits,
                        jobs_resumed, jobs_resubmitted, not_retried)
                    VALUES (@org, @run, @block, @provider, @day, @calls, @hits, @misses, @failures, @cacheHits, @credits,
                        @jobsResumed, @jobsResubmitted, @notRetried)
                    ON CONFLICT (org_id, run_id, block_id, provider, day) DO UPDATE SET
                        calls = provider_usage.calls + excluded.calls, hits = provider_usage.hits + excluded.hits,
                        misses = provider_usage.misses + excluded.misses, failures = provider_usage.failures + excluded.failures,
                        cache_hits = provider_usage.cache_hits + excluded.cache_hits, credits = provider_usage.credits + excluded.credits,
                        jobs_resumed = provider_usage.jobs_resumed + excluded.jobs_resumed,
                        jobs_resubmitted = provider_usage.jobs_resubmitted + excluded.jobs_resubmitted,
                        not_retried = provider_usage.not_retried + excluded.not_retried
                    """,
                    ("org", u.OrgId), ("run", u.RunId), ("block", u.BlockId), ("provider", u.Provider), ("day", ToDay(u.Day)),
                    ("calls", u.Calls), ("hits", u.Hits), ("misses", u.Misses), ("failures", u.Failures),
                    ("cacheHits", u.CacheHits), ("credits", u.Credits), ("jobsResumed", u.JobsResumed),
                    ("jobsResubmitted", u.JobsResubmitted), ("notRetried", u.NotRetried));
            }
        }, cancellationToken);
    }

    public Task<IReadOnlyList<UsageTotals>> GetRunUsageAsync(Guid runId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<UsageTotals>>(async db => await db.QueryAsync(
            $"""
            SELECT block_id, provider, {UsageSums} FROM provider_usage
            WHERE run_id = @run
            GROUP BY block_id, provider
            ORDER BY block_id, provider
            """,
            reader => ReadUsageSums(reader, 2, provider: reader.GetString(1), blockId: reader.GetString(0), day: null),
            ("run", runId)), cancellationToken);

    public Task<IReadOnlyList<UsageTotals>> GetOrgUsageAsync(string orgId, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<UsageTotals>>(async db => await db.QueryAsync(
            $"""
            SELECT day, provider, {UsageSums} FROM provider_usage
            WHERE org_id = @org AND day BETWEEN @from AND @to
            GROUP BY day, provider
            ORDER BY day, provider
            """,
            reader => ReadUsageSums(reader, 2, provider: reader.GetString(1), blockId: null, day: ParseDay(reader.GetString(0))),
            ("org", orgId), ("from", ToDay(from)), ("to", ToDay(to))), cancellationToken);

    /// <remarks>An organization or provider without usage gets zeros.</remarks>
    public Task<UsageTotals> GetProviderTotalsAsync(string orgId, string provider, CancellationToken cancellationToken) =>
        ReadAsync(async db => (await db.QueryFirstAsync(
            $"SELECT {UsageSums} FROM provider_usage WHERE org_id = @org AND provider = @provider",
            reader => ReadUsageSums(reader, 0, provider, blockId: null, day: null),
            ("org", orgId), ("provider", provider)))!, cancellationToken);

    private static ProviderCacheEntry ReadCacheEntry(NpgsqlDataReader reader) => new(
        OrgId: reader.GetString(0),
        Provider: reader.GetString(1),
        RequestKey: reader.GetString(2),
        Outcome: reader.GetString(3),
        AnswerJson: reader.GetString(4),
        Credits: reader.GetDouble(5),
        CreatedAt: reader.GetTime(6));

    /// <summary>Reads the <see cref="UsageSums"/> columns from <paramref name="first"/> on; sums over no rows are null and read as zero.</summary>
    private static UsageTotals ReadUsageSums(NpgsqlDataReader reader, int first, string provider, string? blockId, DateOnly? day)
    {
        long Count(int ordinal) => reader.IsDBNull(ordinal) ? 0 : reader.GetInt64(ordinal);
        return new UsageTotals(
            Provider: provider,
            BlockId: blockId,
            Day: day,
            Calls: Count(first),
            Hits: Count(first + 1),
            Misses: Count(first + 2),
            Failures: Count(first + 3),
            CacheHits: Count(first + 4),
            Credits: reader.IsDBNull(first + 5) ? 0 : reader.GetDouble(first + 5),
            JobsResumed: Count(first + 6),
            JobsResubmitted: Count(first + 7),
            NotRetried: Count(first + 8));
    }

    private static string ToDay(DateOnly day) => day.ToString(DayFormat, CultureInfo.InvariantCulture);

    private static DateOnly ParseDay(string text) => DateOnly.ParseExact(text, DayFormat, CultureInfo.InvariantCulture);
}

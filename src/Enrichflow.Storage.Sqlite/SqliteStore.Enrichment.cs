using System.Globalization;
using Enrichflow.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Enrichflow.Storage.Sqlite;

public sealed partial class SqliteStore : IProviderCache, IUsageStore
{
    /// <summary>Request keys bound per statement by <see cref="GetManyAsync"/>, well below SQLite's parameter limit.</summary>
    private const int KeysPerStatement = 500;

    private const string DayFormat = "yyyy-MM-dd";

    private const string SelectCacheEntry =
        "SELECT org_id, provider, request_key, outcome, answer_json, credits, created_at FROM provider_cache";

    private const string UsageSums =
        "sum(calls), sum(hits), sum(misses), sum(failures), sum(cache_hits), sum(credits), sum(jobs_resumed), sum(jobs_resubmitted), sum(not_retried)";

    public Task<ProviderCacheEntry?> GetAsync(string orgId, string provider, string requestKey, CancellationToken cancellationToken) =>
        Task.FromResult(Read(connection => connection.QueryFirst(
            $"{SelectCacheEntry} WHERE org_id = $org AND provider = $provider AND request_key = $key",
            ReadCacheEntry, ("$org", orgId), ("$provider", provider), ("$key", requestKey)), cancellationToken));

    /// <remarks>Duplicate keys are looked up once; the keys go <see cref="KeysPerStatement"/> to a statement.</remarks>
    public Task<IReadOnlyDictionary<string, ProviderCacheEntry>> GetManyAsync(string orgId, string provider, IReadOnlyCollection<string> requestKeys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requestKeys);
        return Task.FromResult<IReadOnlyDictionary<string, ProviderCacheEntry>>(Read(connection =>
        {
            var found = new Dictionary<string, ProviderCacheEntry>(StringComparer.Ordinal);
            foreach (var batch in requestKeys.Distinct(StringComparer.Ordinal).Chunk(KeysPerStatement))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var parameters = new (string Name, object? Value)[batch.Length + 2];
                parameters[0] = ("$org", orgId);
                parameters[1] = ("$provider", provider);
                for (var i = 0; i < batch.Length; i++)
                {
                    parameters[i + 2] = ($"$k{i}", batch[i]);
                }

                var keys = string.Join(", ", parameters.Skip(2).Select(p => p.Name));
                var sql = $"{SelectCacheEntry} WHERE org_id = $org AND provider = $provider AND request_key IN ({keys})";
                foreach (var entry in connection.Query(sql, ReadCacheEntry, parameters))
                {
                    found[entry.RequestKey] = entry;
                }
            }

            return found;
        }, cancellationToken));
    }

    public Task PutAsync(ProviderCacheEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return WriteAsync(connection => connection.Execute(
            """
            INSERT INTO provider_cache (org_id, provider, request_key, outcome, answer_json, credits, created_at)
            VALUES ($org, $provider, $key, $outcome, $answer, $credits, $created)
            ON CONFLICT (org_id, provider, request_key) DO UPDATE SET
                outcome = excluded.outcome, answer_json = excluded.answer_json, credits = excluded.credits, created_at = excluded.created_at
            """,
            ("$org", entry.OrgId), ("$provider", entry.Provider), ("$key", entry.RequestKey), ("$outcome", entry.Outcome),
            ("$answer", entry.AnswerJson), ("$credits", entry.Credits), ("$created", entry.CreatedAt)), cancellationToken);
    }

    public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        WriteAsync(connection => connection.Execute("DELETE FROM provider_cache WHERE created_at < $cutoff", ("$cutoff", cutoff)), cancellationToken);

    /// <remarks>One write transaction per call; one prepared upsert per increment.</remarks>
    public Task AddUsageAsync(IReadOnlyList<UsageIncrement> increments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(increments);
        if (increments.Count == 0)
        {
            return Task.CompletedTask;
        }

        return WriteAsync(connection =>
        {
            foreach (var u in increments)
            {
                connection.Execute(
                    """
                    INSERT INTO provider_usage (org_id, run_id, block_id, provider, day, calls, hits, misses, failures, cache_hits, credits,
                        jobs_resumed, jobs_resubmitted, not_retried)
                    VALUES ($org, $run, $block, $provider, $day, $calls, $hits, $misses, $failures, $cacheHits, $credits,
                        $jobsResumed, $jobsResubmitted, $notRetried)
                    ON CONFLICT (org_id, run_id, block_id, provider, day) DO UPDATE SET
                        calls = calls + excluded.calls, hits = hits + excluded.hits, misses = misses + excluded.misses,
                        failures = failures + excluded.failures, cache_hits = cache_hits + excluded.cache_hits,
                        credits = credits + excluded.credits, jobs_resumed = jobs_resumed + excluded.jobs_resumed,
                        jobs_resubmitted = jobs_resubmitted + excluded.jobs_resubmitted, not_retried = not_retried + excluded.not_retried
                    """,
                    ("$org", u.OrgId), ("$run", u.RunId), ("$block", u.BlockId), ("$provider", u.Provider), ("$day", ToDay(u.Day)),
                    ("$calls", u.Calls), ("$hits", u.Hits), ("$misses", u.Misses), ("$failures", u.Failures),
                    ("$cacheHits", u.CacheHits), ("$credits", u.Credits), ("$jobsResumed", u.JobsResumed),
                    ("$jobsResubmitted", u.JobsResubmitted), ("$notRetried", u.NotRetried));
            }
        }, cancellationToken);
    }

    public Task<IReadOnlyList<UsageTotals>> GetRunUsageAsync(Guid runId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<UsageTotals>>(Read(connection => connection.Query(
            $"""
            SELECT block_id, provider, {UsageSums} FROM provider_usage
            WHERE run_id = $run
            GROUP BY block_id, provider
            ORDER BY block_id, provider
            """,
            reader => ReadUsageSums(reader, 2, provider: reader.GetString(1), blockId: reader.GetString(0), day: null),
            ("$run", runId)), cancellationToken));

    public Task<IReadOnlyList<UsageTotals>> GetOrgUsageAsync(string orgId, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<UsageTotals>>(Read(connection => connection.Query(
            $"""
            SELECT day, provider, {UsageSums} FROM provider_usage
            WHERE org_id = $org AND day BETWEEN $from AND $to
            GROUP BY day, provider
            ORDER BY day, provider
            """,
            reader => ReadUsageSums(reader, 2, provider: reader.GetString(1), blockId: null, day: ParseDay(reader.GetString(0))),
            ("$org", orgId), ("$from", ToDay(from)), ("$to", ToDay(to))), cancellationToken));

    /// <remarks>An organization or provider without usage gets zeros.</remarks>
    public Task<UsageTotals> GetProviderTotalsAsync(string orgId, string provider, CancellationToken cancellationToken) =>
        Task.FromResult(Read(connection => connection.QueryFirst(
            $"SELECT {UsageSums} FROM provider_usage WHERE org_id = $org AND provider = $provider",
            reader => ReadUsageSums(reader, 0, provider, blockId: null, day: null),
            ("$org", orgId), ("$provider", provider)), cancellationToken)!);

    private static ProviderCacheEntry ReadCacheEntry(SqliteDataReader reader) => new(
        OrgId: reader.GetString(0),
        Provider: reader.GetString(1),
        RequestKey: reader.GetString(2),
        Outcome: reader.GetString(3),
        AnswerJson: reader.GetString(4),
        Credits: reader.GetDouble(5),
        CreatedAt: reader.GetTime(6));

    /// <summary>Reads the <see cref="UsageSums"/> columns from <paramref name="first"/> on; sums over no rows are null and read as zero.</summary>
    private static UsageTotals ReadUsageSums(SqliteDataReader reader, int first, string provider, string? blockId, DateOnly? day)
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

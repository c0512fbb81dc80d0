using Enrichflow.Core.Storage;

namespace Enrichflow.Storage.Postgres;

// Retention (docs/api.md §9.1): expired records, what the blob sweep compares blobs with, sizes and compaction.
public sealed partial class PostgresStore : IRetentionStore
{
    /// <summary>The store's own tables (those of its schema), with their heap, TOAST and index bytes.</summary>
    private const string StoreTables =
        """
        SELECT c.oid, c.relname, c.reltoastrelid FROM pg_class c
        WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
        """;

    public Task<IReadOnlyList<Guid>> ListExpiredRunsAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<Guid>>(async db => await db.QueryAsync(
            """
            SELECT id FROM (
                SELECT id, completed_at AS ended FROM runs
                WHERE completed_at IS NOT NULL AND completed_at < @before AND status IN ('completed', 'failed', 'cancelled')
                UNION ALL
                SELECT id, updated_at AS ended FROM runs WHERE status = 'paused' AND updated_at < @before) AS expired
            ORDER BY ended LIMIT @limit
            """,
            reader => reader.GetGuid(0), ("before", before), ("limit", limit)), cancellationToken);

    public Task<bool> DeleteRunAsync(Guid runId, CancellationToken cancellationToken) =>
        WriteAsync(async db =>
        {
            await db.ExecuteAsync("DELETE FROM uploads WHERE starts_with(blob_key, @prefix)", ("prefix", $"runs/{runId:N}/"));
            await db.ExecuteAsync("DELETE FROM export_batches WHERE run_id = @run", ("run", runId));
            await db.ExecuteAsync("DELETE FROM webhook_deliveries WHERE run_id = @run", ("run", runId));
            await db.ExecuteAsync("DELETE FROM webhook_runs WHERE run_id = @run", ("run", runId));
            await DeleteScopesAsync(db, KeyScopes.Run(runId));
            // run_blocks, work_units, result_files and the run's claim turn go with the run (ON DELETE CASCADE).
            return await db.ExecuteAsync("DELETE FROM runs WHERE id = @run", ("run", runId)) == 1;
        }, cancellationToken);

    /// <remarks>
    /// A schedule names an upload in its <c>specs_override</c> (the handle in either Guid spelling, any case); a run uses
    /// one when its options name the upload's blob key.
    /// </remarks>
    public Task<IReadOnlyList<UploadRecord>> DeleteExpiredUploadsAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        WriteAsync<IReadOnlyList<UploadRecord>>(async db => await db.QueryAsync(
            """
            DELETE FROM uploads u
            WHERE created_at < @before
              AND NOT EXISTS (
                  SELECT 1 FROM schedules s
                  WHERE s.specs_override IS NOT NULL
                    AND (strpos(lower(s.specs_override), u.handle_id::text) > 0
                         OR strpos(lower(s.specs_override), replace(u.handle_id::text, '-', '')) > 0))
              AND NOT EXISTS (
                  SELECT 1 FROM runs r
                  WHERE r.status IN ('queued', 'running', 'paused', 'failed') AND strpos(r.options_json, u.blob_key) > 0)
            RETURNING handle_id, org_id, file_name, blob_key, size_bytes, created_at
            """,
            ReadUpload, ("before", before)), cancellationToken);

    public Task<int> DeleteExpiredIdempotencyAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        WriteAsync(db => db.ExecuteAsync("DELETE FROM idempotency_records WHERE created_at < @before", ("before", before)), cancellationToken);

    public Task<IReadOnlyDictionary<Guid, (RunStatus Status, DateTimeOffset? EndedAt)>> ListRunStatusesAsync(CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyDictionary<Guid, (RunStatus Status, DateTimeOffset? EndedAt)>>(async db =>
            (await db.QueryAsync(
                "SELECT id, status, completed_at FROM runs",
                reader => (Id: reader.GetGuid(0), Status: ParseRunStatus(reader.GetString(1)), EndedAt: reader.GetTimeOrNull(2))))
            .ToDictionary(r => r.Id, r => (r.Status, r.EndedAt)),
            cancellationToken);

    public Task<IReadOnlySet<(string BlockId, int Chunk, Guid Tag)>> ListCommittedOutputsAsync(Guid runId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlySet<(string BlockId, int Chunk, Guid Tag)>>(async db =>
            (await db.QueryAsync(
                "SELECT block_id, chunk, output_tag FROM work_units WHERE run_id = @run AND status = 'done' AND output_tag IS NOT NULL",
                reader => (reader.GetString(0), reader.GetInt32(1), reader.GetGuid(2)),
                ("run", runId))).ToHashSet(),
            cancellationToken);

    public Task<IReadOnlySet<string>> ListUploadBlobKeysAsync(CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlySet<string>>(async db =>
            (await db.QueryAsync("SELECT blob_key FROM uploads", reader => reader.GetString(0))).ToHashSet(StringComparer.Ordinal),
            cancellationToken);

    public Task<IReadOnlyList<OrganizationStorage>> ListOrganizationStorageAsync(CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<OrganizationStorage>>(async db => await db.QueryAsync(
            """
            SELECT o.id,
                   (SELECT count(*) FROM runs r WHERE r.org_id = o.id),
                   (SELECT count(*) FROM uploads u WHERE u.org_id = o.id),
                   (SELECT coalesce(sum(f.file_size), 0)::bigint FROM result_files f JOIN runs r ON r.id = f.run_id WHERE r.org_id = o.id),
                   (SELECT coalesce(sum(u.size_bytes), 0)::bigint FROM uploads u WHERE u.org_id = o.id AND NOT starts_with(u.blob_key, 'runs/'))
            FROM organizations o ORDER BY o.id
            """,
            reader => new OrganizationStorage(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4))),
            cancellationToken);

    /// <remarks>
    /// The bytes of the store's tables' rows: their heaps' and TOAST tables' main data, without indexes and free-space maps (the server's write-ahead log is
    /// shared by every database on it, so <see cref="StoreSize.JournalBytes"/> is 0); the free bytes are the dead rows'
    /// share of each table, from the server's statistics.
    /// </remarks>
    public Task<StoreSize> MeasureAsync(CancellationToken cancellationToken) =>
        ReadAsync(MeasureAsync, cancellationToken);

    /// <remarks>
    /// Runs VACUUM on each of the store's tables (outside a transaction; it does not block readers or writers), which makes
    /// dead rows' space reusable and gives empty pages at a table's end back; a table whose dead rows are at least a
    /// quarter of it is rewritten with VACUUM FULL instead (an exclusive lock for the rewrite; after large deletes), which
    /// gives back its heap's and its indexes' free space.
    /// </remarks>
    public Task<StoreSize> CompactAsync(CancellationToken cancellationToken) =>
        ReadAsync(async db =>
        {
            await db.ExecuteAsync("SELECT pg_stat_force_next_flush()");
            var tables = await db.QueryAsync(
                $"""
                SELECT t.relname, coalesce(s.n_live_tup, 0), coalesce(s.n_dead_tup, 0), pg_total_relation_size(t.oid)
                FROM ({StoreTables}) t LEFT JOIN pg_stat_user_tables s ON s.relid = t.oid
                """,
                reader => (Name: reader.GetString(0), Live: reader.GetInt64(1), Dead: reader.GetInt64(2), Bytes: reader.GetInt64(3)));
            foreach (var table in tables)
            {
                var full = table.Dead > 0 && table.Dead * 4 >= table.Live + table.Dead;
                await db.ExecuteAsync($"VACUUM {(full ? "FULL " : "")}{Quote(table.Name)}");
            }

            return await MeasureAsync(db);
        }, cancellationToken);

    private static async Task<StoreSize> MeasureAsync(PgSession db)
    {
        var sizes = await db.QueryAsync(
            $"""
            SELECT pg_relation_size(t.oid) + CASE WHEN t.reltoastrelid = 0 THEN 0 ELSE pg_relation_size(t.reltoastrelid) END, pg_table_size(t.oid), coalesce(s.n_live_tup, 0), coalesce(s.n_dead_tup, 0)
            FROM ({StoreTables}) t LEFT JOIN pg_stat_user_tables s ON s.relid = t.oid
            """,
            reader => (Total: reader.GetInt64(0), Live: reader.GetInt64(2), Dead: reader.GetInt64(3)));
        var free = sizes.Sum(s => s.Live + s.Dead == 0 ? 0 : s.Total * s.Dead / (s.Live + s.Dead));
        return new StoreSize(sizes.Sum(s => s.Total), 0, free);
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}

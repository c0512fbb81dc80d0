using Enrichflow.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Enrichflow.Storage.Sqlite;

// Retention (docs/api.md §9.1): expired records, what the blob sweep compares blobs with, sizes and compaction.
public sealed partial class SqliteStore : IRetentionStore
{
    private static readonly TimeSpan CheckpointBusyTimeout = TimeSpan.FromSeconds(2);

    public Task<IReadOnlyList<Guid>> ListExpiredRunsAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Guid>>(Read(connection => connection.Query(
            """
            SELECT id FROM (
                SELECT id, completed_at AS ended FROM runs
                WHERE completed_at IS NOT NULL AND completed_at < $before AND status IN ('completed', 'failed', 'cancelled')
                UNION ALL
                SELECT id, updated_at AS ended FROM runs WHERE status = 'paused' AND updated_at < $before)
            ORDER BY ended LIMIT $limit
            """,
            reader => reader.GetGuid(0), ("$before", before), ("$limit", limit)), cancellationToken));

    public Task<bool> DeleteRunAsync(Guid runId, CancellationToken cancellationToken) =>
        WriteAsync(connection =>
        {
            var blobPrefix = $"runs/{runId:N}/";
            var scopePrefix = KeyScopes.Run(runId);
            connection.Execute("DELETE FROM uploads WHERE blob_key >= $prefix AND blob_key < $end", ("$prefix", blobPrefix), ("$end", blobPrefix + "\uffff"));
            connection.Execute("DELETE FROM export_batches WHERE run_id = $run", ("$run", runId));
            connection.Execute("DELETE FROM webhook_deliveries WHERE run_id = $run", ("$run", runId));
            connection.Execute("DELETE FROM webhook_runs WHERE run_id = $run", ("$run", runId));
            connection.Execute(
                "DELETE FROM key_entries WHERE scope_id IN (SELECT id FROM key_scopes WHERE name >= $prefix AND name < $end)",
                ("$prefix", scopePrefix), ("$end", scopePrefix + "\uffff"));
            connection.Execute(
                "DELETE FROM key_rows WHERE scope_id IN (SELECT id FROM key_scopes WHERE name >= $prefix AND name < $end)",
                ("$prefix", scopePrefix), ("$end", scopePrefix + "\uffff"));
            connection.Execute("DELETE FROM key_scopes WHERE name >= $prefix AND name < $end", ("$prefix", scopePrefix), ("$end", scopePrefix + "\uffff"));
            // run_blocks, work_units and result_files go with the run (ON DELETE CASCADE).
            return connection.Execute("DELETE FROM runs WHERE id = $run", ("$run", runId)) == 1;
        }, cancellationToken);

    /// <remarks>
    /// A schedule names an upload in its <c>specs_override</c> (the handle in either Guid spelling, any case); a run uses
    /// one when its options name the upload's blob key.
    /// </remarks>
    public Task<IReadOnlyList<UploadRecord>> DeleteExpiredUploadsAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        WriteAsync<IReadOnlyList<UploadRecord>>(connection =>
        {
            var expired = connection.Query(
                """
                SELECT handle_id, org_id, file_name, blob_key, size_bytes, created_at FROM uploads u
                WHERE created_at < $before
                  AND NOT EXISTS (
                      SELECT 1 FROM schedules s
                      WHERE s.specs_override IS NOT NULL
                        AND (instr(lower(s.specs_override), u.handle_id) > 0 OR instr(lower(s.specs_override), replace(u.handle_id, '-', '')) > 0))
                  AND NOT EXISTS (
                      SELECT 1 FROM runs r
                      WHERE r.status IN ('queued', 'running', 'paused', 'failed') AND instr(r.options_json, u.blob_key) > 0)
                """,
                reader => new UploadRecord(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4), reader.GetTime(5)),
                ("$before", before));
            foreach (var upload in expired)
            {
                connection.Execute("DELETE FROM uploads WHERE handle_id = $id", ("$id", upload.HandleId));
            }

            return expired;
        }, cancellationToken);

    public Task<int> DeleteExpiredIdempotencyAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        WriteAsync(connection => connection.Execute("DELETE FROM idempotency_records WHERE created_at < $before", ("$before", before)), cancellationToken);

    public Task<IReadOnlyDictionary<Guid, (RunStatus Status, DateTimeOffset? EndedAt)>> ListRunStatusesAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<Guid, (RunStatus Status, DateTimeOffset? EndedAt)>>(Read(
            connection => connection.Query(
                    "SELECT id, status, completed_at FROM runs",
                    reader => (Id: reader.GetGuid(0), Status: ParseRunStatus(reader.GetString(1)), EndedAt: reader.GetTimeOrNull(2)))
                .ToDictionary(r => r.Id, r => (r.Status, r.EndedAt)),
            cancellationToken));

    public Task<IReadOnlySet<(string BlockId, int Chunk, Guid Tag)>> ListCommittedOutputsAsync(Guid runId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlySet<(string BlockId, int Chunk, Guid Tag)>>(Read(
            connection => connection.Query(
                "SELECT block_id, chunk, output_tag FROM work_units WHERE run_id = $run AND status = 'done' AND output_tag IS NOT NULL",
                reader => (reader.GetString(0), reader.GetInt32(1), reader.GetGuid(2)),
                ("$run", runId)).ToHashSet(),
            cancellationToken));

    public Task<IReadOnlySet<string>> ListUploadBlobKeysAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlySet<string>>(Read(
            connection => connection.Query("SELECT blob_key FROM uploads", reader => reader.GetString(0)).ToHashSet(StringComparer.Ordinal),
            cancellationToken));

    public Task<IReadOnlyList<OrganizationStorage>> ListOrganizationStorageAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<OrganizationStorage>>(Read(connection => connection.Query(
            """
            SELECT o.id,
                   (SELECT count(*) FROM runs r WHERE r.org_id = o.id),
                   (SELECT count(*) FROM uploads u WHERE u.org_id = o.id),
                   (SELECT coalesce(sum(f.file_size), 0) FROM result_files f JOIN runs r ON r.id = f.run_id WHERE r.org_id = o.id),
                   (SELECT coalesce(sum(u.size_bytes), 0) FROM uploads u WHERE u.org_id = o.id AND u.blob_key NOT LIKE 'runs/%')
            FROM organizations o ORDER BY o.id
            """,
            reader => new OrganizationStorage(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4))),
            cancellationToken));

    public Task<StoreSize> MeasureAsync(CancellationToken cancellationToken) =>
        Task.FromResult(Read(Measure, cancellationToken));

    /// <remarks>
    /// Runs on the write connection outside a transaction (VACUUM cannot run in one), holding the write gate, so no
    /// write of this process waits behind it half-done. <c>wal_checkpoint(TRUNCATE)</c> waits up to two seconds for
    /// readers still on the log and leaves the log as it is when one holds it still; the next pass tries again.
    /// </remarks>
    public async Task<StoreSize> CompactAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var connection = _writeConnection ??= OpenWriteConnection();
            _statements ??= StatementCache.Attach(connection);
            var pages = connection.Scalar<long>("PRAGMA page_count");
            var free = connection.Scalar<long>("PRAGMA freelist_count");
            if (free > 0 && free * 4 >= pages)
            {
                connection.ExecuteScript("VACUUM");
            }

            // A checkpoint waits for readers still on the log; it waits briefly (the write gate is held meanwhile), and the next pass tries again.
            connection.ExecuteScript($"PRAGMA busy_timeout = {(int)CheckpointBusyTimeout.TotalMilliseconds}");
            try
            {
                connection.ExecuteScript("PRAGMA wal_checkpoint(TRUNCATE)");
            }
            finally
            {
                connection.ExecuteScript($"PRAGMA busy_timeout = {(int)BusyTimeout.TotalMilliseconds}");
            }

            return Measure(connection);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private StoreSize Measure(SqliteConnection connection)
    {
        var pageSize = connection.Scalar<long>("PRAGMA page_size");
        var free = connection.Scalar<long>("PRAGMA freelist_count");
        return new StoreSize(FileLength(DatabasePath), FileLength(DatabasePath + "-wal") + FileLength(DatabasePath + "-shm"), free * pageSize);
    }

    private static long FileLength(string path)
    {
        var file = new FileInfo(path);
        return file.Exists ? file.Length : 0;
    }
}

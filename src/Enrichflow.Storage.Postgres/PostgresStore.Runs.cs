using System.Text;
using Enrichflow.Core.Diagnostics;
using Enrichflow.Core.Storage;
using Npgsql;

namespace Enrichflow.Storage.Postgres;

public sealed partial class PostgresStore
{
    private const string SelectRun =
        """
        SELECT id, org_id, workflow_id, workflow_name, workflow_version, definition_json, options_json, status, queued_at,
               updated_at, started_at, completed_at, status_reason, error_message, source_chunk_count, progress_percent, schedule_id
        FROM runs
        """;

    /// <remarks>The run is stored with the status it carries (normally queued).</remarks>
    public Task CreateRunAsync(RunRecord run, IReadOnlyList<RunBlockRecord> blocks, CancellationToken cancellationToken) =>
        WriteAsync(db => InsertRunAsync(db, run, blocks), cancellationToken);

    /// <remarks>
    /// The key is reserved by the insert itself (an upsert that replaces only an expired record), in the transaction that
    /// adds the run: a racing request with the same key waits on the key's row until this one commits, then finds it held.
    /// </remarks>
    public Task<RunCreation> CreateRunAsync(QueuedRun run, IdempotencyReservation? idempotency, CancellationToken cancellationToken) =>
        WriteAsync(async db =>
        {
            if (idempotency is not null && await ReserveIdempotencyKeyAsync(db, idempotency) is { } held)
            {
                return new RunCreation(held);
            }

            await InsertRunAsync(db, run.Run, run.Blocks);
            await AddPendingUnitsAsync(db, run.Units, run.Run.QueuedAt);
            return RunCreation.Added;
        }, cancellationToken);

    /// <summary>Stores the reservation's record unless an unexpired one holds the key; returns that one (null when the key was free).</summary>
    private static async Task<IdempotencyRecord?> ReserveIdempotencyKeyAsync(PgSession db, IdempotencyReservation reservation)
    {
        var record = reservation.Record;
        var reserved = await db.ExecuteAsync(
            """
            INSERT INTO idempotency_records (org_id, key, request_hash, response_json, created_at)
            VALUES (@org, @key, @hash, @response, @created)
            ON CONFLICT (org_id, key) DO UPDATE SET
                request_hash = excluded.request_hash, response_json = excluded.response_json, created_at = excluded.created_at
            WHERE idempotency_records.created_at < @expiredBefore
            """,
            ("org", record.OrgId), ("key", record.Key), ("hash", record.RequestHash), ("response", record.ResponseJson),
            ("created", record.CreatedAt), ("expiredBefore", reservation.ExpiredBefore));
        if (reserved == 1)
        {
            return null;
        }

        return await db.QueryFirstAsync(
            "SELECT org_id, key, request_hash, response_json, created_at FROM idempotency_records WHERE org_id = @org AND key = @key",
            ReadIdempotency, ("org", record.OrgId), ("key", record.Key));
    }

    private static IdempotencyRecord ReadIdempotency(NpgsqlDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetTime(4));

    /// <summary>Adds a run and its blocks within the caller's transaction (a run request, or a schedule's claim).</summary>
    private static async Task InsertRunAsync(PgSession db, RunRecord run, IReadOnlyList<RunBlockRecord> blocks)
    {
        await db.ExecuteAsync(
            """
            INSERT INTO runs (id, org_id, workflow_id, workflow_name, workflow_version, definition_json, options_json, status,
                              queued_at, updated_at, started_at, completed_at, status_reason, error_message, source_chunk_count,
                              progress_percent, schedule_id)
            VALUES (@id, @org, @workflowId, @workflowName, @workflowVersion, @definition, @options, @status, @queued, @updated,
                    @started, @completed, @reason, @error, @sourceChunks, @progress, @schedule)
            """,
            ("id", run.Id), ("org", run.OrgId), ("workflowId", run.WorkflowId), ("workflowName", run.WorkflowName),
            ("workflowVersion", run.WorkflowVersion), ("definition", run.DefinitionJson), ("options", run.OptionsJson),
            ("status", run.Status.ToWire()), ("queued", run.QueuedAt), ("updated", run.UpdatedAt), ("started", run.StartedAt),
            ("completed", run.CompletedAt), ("reason", run.StatusReason), ("error", run.ErrorMessage),
            ("sourceChunks", run.SourceChunkCount), ("progress", run.ProgressPercent), ("schedule", run.ScheduleId));
        foreach (var block in blocks)
        {
            await db.ExecuteAsync(
                """
                INSERT INTO run_blocks (run_id, block_id, block_name, sequence_number, position, status, started_at, completed_at,
                                        rows_in, rows_out, rows_rejected, rows_failed, chunks_done, error_message, updated_at)
                VALUES (@run, @block, @name, @sequence, @position, @status, @started, @completed, @rowsIn, @rowsOut, @rowsRejected,
                        @rowsFailed, @chunksDone, @error, @updated)
                """,
                ("run", run.Id), ("block", block.BlockId), ("name", block.BlockName), ("sequence", block.SequenceNumber),
                ("position", block.Position), ("status", block.Status.ToWire()), ("started", block.StartedAt),
                ("completed", block.CompletedAt), ("rowsIn", block.RowsIn), ("rowsOut", block.RowsOut),
                ("rowsRejected", block.RowsRejected), ("rowsFailed", block.RowsFailed), ("chunksDone", block.ChunksDone),
                ("error", block.ErrorMessage), ("updated", block.UpdatedAt));
        }
    }

    public Task<RunRecord?> GetRunAsync(Guid runId, CancellationToken cancellationToken) =>
        ReadAsync(db => db.QueryFirstAsync($"{SelectRun} WHERE id = @id", ReadRun, ("id", runId)), cancellationToken);

    /// <remarks>No statuses (null or empty) means every status; a limit of 0 or less means no limit.</remarks>
    public Task<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<RunRecord>>(async db =>
        {
            var sql = new StringBuilder($"{SelectRun} WHERE org_id = @org");
            if (query.Statuses is { Count: > 0 } statuses)
            {
                sql.Append($" AND status IN ({InList(statuses)})");
            }

            if (query.WorkflowId is not null)
            {
                sql.Append(" AND workflow_id = @workflowId");
            }

            sql.Append(" ORDER BY queued_at DESC, id DESC");
            if (query.Limit > 0)
            {
                sql.Append(" LIMIT @limit");
            }

            return await db.QueryAsync(sql.ToString(), ReadRun, ("org", query.OrgId), ("workflowId", query.WorkflowId ?? ""), ("limit", query.Limit));
        }, cancellationToken);

    public Task<IReadOnlyList<RunRecord>> ListRunsByStatusAsync(IReadOnlyList<RunStatus> statuses, CancellationToken cancellationToken) =>
        statuses.Count == 0 ? Task.FromResult<IReadOnlyList<RunRecord>>([]) : ReadAsync<IReadOnlyList<RunRecord>>(
            async db => await db.QueryAsync($"{SelectRun} WHERE status IN ({InList(statuses)}) ORDER BY queued_at, id", ReadRun),
            cancellationToken);

    public Task<bool> ExtendRunAsync(Guid runId, string expectedDefinitionJson, string definitionJson, RunBlockRecord block, CancellationToken cancellationToken) =>
        WriteAsync(async db =>
        {
            if (await db.ExecuteAsync(
                "UPDATE runs SET definition_json = @definition WHERE id = @id AND definition_json = @expected",
                ("definition", definitionJson), ("id", runId), ("expected", expectedDefinitionJson)) != 1)
            {
                return false;
            }

            await db.ExecuteAsync(
                """
                INSERT INTO run_blocks (run_id, block_id, block_name, sequence_number, position, status, started_at, completed_at,
                                        rows_in, rows_out, rows_rejected, rows_failed, chunks_done, error_message, updated_at)
                VALUES (@run, @block, @name, @sequence, @position, @status, NULL, NULL, 0, 0, 0, 0, 0, NULL, @updated)
                """,
                ("run", runId), ("block", block.BlockId), ("name", block.BlockName), ("sequence", block.SequenceNumber),
                ("position", block.Position), ("status", block.Status.ToWire()), ("updated", block.UpdatedAt));
            return true;
        }, cancellationToken);

    public Task UpdateRunOptionsAsync(Guid runId, string optionsJson, CancellationToken cancellationToken) =>
        WriteAsync(db => db.ExecuteAsync(
            "UPDATE runs SET options_json = @options WHERE id = @id",
            ("options", optionsJson), ("id", runId)), cancellationToken);

    /// <remarks>
    /// <c>status_reason</c> and <c>error_message</c> are set to the given values (null clears them). Entering a
    /// status that is not terminal clears <c>completed_at</c>, so a resumed run is not reported as ended.
    /// </remarks>
    public Task<bool> TransitionRunAsync(Guid runId, IReadOnlyList<RunStatus> from, RunStatus to, DateTimeOffset now, string? statusReason, string? errorMessage, CancellationToken cancellationToken) =>
        from.Count == 0 ? Task.FromResult(false) : WriteAsync(async db => await db.ExecuteAsync(
            $"""
            UPDATE runs
            SET status = @to, updated_at = @now, status_reason = @reason::text, error_message = @error::text,
                started_at = CASE WHEN @to = 'running' THEN coalesce(started_at, @now) ELSE started_at END,
                completed_at = CASE WHEN @terminal THEN @now END
            WHERE id = @id AND status IN ({InList(from)})
            """,
            ("id", runId), ("to", to.ToWire()), ("now", now), ("reason", statusReason), ("error", errorMessage),
            ("terminal", to.IsTerminal())) == 1, cancellationToken);

    /// <remarks>Returns 0 when the run does not exist.</remarks>
    public Task<int> RaiseProgressAsync(Guid runId, int percent, CancellationToken cancellationToken) =>
        WriteAsync(async db => await db.ScalarAsync<int?>(
            "UPDATE runs SET progress_percent = greatest(progress_percent, @percent) WHERE id = @id RETURNING progress_percent",
            ("id", runId), ("percent", percent)) ?? 0, cancellationToken);

    /// <remarks>Blocks in sequence-number order.</remarks>
    public Task<IReadOnlyList<RunBlockRecord>> GetRunBlocksAsync(Guid runId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<RunBlockRecord>>(async db => await db.QueryAsync(
            """
            SELECT run_id, block_id, block_name, sequence_number, position, status, started_at, completed_at, rows_in, rows_out,
                   rows_rejected, rows_failed, chunks_done, error_message, updated_at
            FROM run_blocks WHERE run_id = @run ORDER BY sequence_number, block_id
            """,
            ReadRunBlock, ("run", runId)), cancellationToken);

    /// <remarks>
    /// <c>error_message</c> is set to the given value (null clears it). Entering pending or running clears
    /// <c>completed_at</c>.
    /// </remarks>
    public Task<bool> TransitionBlockAsync(Guid runId, string blockId, IReadOnlyList<BlockStatus> from, BlockStatus to, DateTimeOffset now, string? errorMessage, CancellationToken cancellationToken) =>
        from.Count == 0 ? Task.FromResult(false) : WriteAsync(async db => await db.ExecuteAsync(
            $"""
            UPDATE run_blocks
            SET status = @status, updated_at = @now, error_message = @error::text,
                started_at = CASE WHEN @status = 'running' THEN coalesce(started_at, @now) ELSE started_at END,
                completed_at = CASE WHEN @ended THEN @now END
            WHERE run_id = @run AND block_id = @block AND status IN ({InList(from)})
            """,
            ("run", runId), ("block", blockId), ("status", to.ToWire()), ("now", now), ("error", errorMessage),
            ("ended", to is BlockStatus.Completed or BlockStatus.Failed or BlockStatus.Cancelled)) == 1, cancellationToken);

    public Task PutResultFileAsync(ResultFileRecord file, CancellationToken cancellationToken) =>
        WriteAsync(db => db.ExecuteAsync(
            """
            INSERT INTO result_files (run_id, block_id, block_number, format, file_name, blob_key, row_count, file_size, created_at, message, pending)
            VALUES (@run, @block, @blockNumber, @format, @fileName, @blobKey, @rowCount, @fileSize, @created, @message, @pending)
            ON CONFLICT (run_id, file_name) DO UPDATE SET
                block_id = excluded.block_id, block_number = excluded.block_number, format = excluded.format,
                blob_key = excluded.blob_key, row_count = excluded.row_count, file_size = excluded.file_size,
                created_at = excluded.created_at, message = excluded.message, pending = excluded.pending
            """,
            ("run", file.RunId), ("block", file.BlockId), ("blockNumber", file.BlockNumber), ("format", file.Format.ToWire()),
            ("fileName", file.FileName), ("blobKey", file.BlobKey), ("rowCount", file.RowCount), ("fileSize", file.FileSize),
            ("created", file.CreatedAt), ("message", file.Message), ("pending", file.Pending)), cancellationToken);

    public Task<IReadOnlyList<ResultFileRecord>> ListResultFilesAsync(Guid runId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<ResultFileRecord>>(async db => await db.QueryAsync(
            """
            SELECT run_id, block_id, block_number, format, file_name, blob_key, row_count, file_size, created_at, message, pending
            FROM result_files WHERE run_id = @run ORDER BY ordinal
            """,
            reader => new ResultFileRecord(
                reader.GetGuid(0), reader.GetString(1), reader.GetInt32(2), ReadFormat(reader.GetString(3)), reader.GetString(4), reader.GetString(5),
                reader.GetInt64(6), reader.GetInt64(7), reader.GetTime(8), reader.GetStringOrNull(9)) { Pending = reader.GetBoolean(10) },
            ("run", runId)), cancellationToken);

    private static ResultFormat ReadFormat(string value) =>
        ResultFormats.Parse(value) ?? ThrowHelper.UnknownStoredValue<ResultFormat>("result format", value, "result_files");

    private static string InList(IReadOnlyList<RunStatus> statuses) =>
        string.Join(", ", statuses.Distinct().Select(s => $"'{s.ToWire()}'"));

    private static string InList(IReadOnlyList<BlockStatus> statuses) =>
        string.Join(", ", statuses.Distinct().Select(s => $"'{s.ToWire()}'"));

    private static RunRecord ReadRun(NpgsqlDataReader reader) => new(
        Id: reader.GetGuid(0),
        OrgId: reader.GetString(1),
        WorkflowId: reader.GetString(2),
        WorkflowName: reader.GetString(3),
        WorkflowVersion: reader.GetInt32(4),
        DefinitionJson: reader.GetString(5),
        OptionsJson: reader.GetString(6),
        Status: ParseRunStatus(reader.GetString(7)),
        QueuedAt: reader.GetTime(8),
        UpdatedAt: reader.GetTime(9),
        StartedAt: reader.GetTimeOrNull(10),
        CompletedAt: reader.GetTimeOrNull(11),
        StatusReason: reader.GetStringOrNull(12),
        ErrorMessage: reader.GetStringOrNull(13),
        SourceChunkCount: reader.GetInt32OrNull(14),
        ProgressPercent: reader.GetInt32(15),
        ScheduleId: reader.GetGuidOrNull(16));

    private static RunBlockRecord ReadRunBlock(NpgsqlDataReader reader) => new(
        RunId: reader.GetGuid(0),
        BlockId: reader.GetString(1),
        BlockName: reader.GetString(2),
        SequenceNumber: reader.GetInt32(3),
        Position: reader.GetInt32(4),
        Status: Enum.Parse<BlockStatus>(reader.GetString(5), ignoreCase: true),
        StartedAt: reader.GetTimeOrNull(6),
        CompletedAt: reader.GetTimeOrNull(7),
        RowsIn: reader.GetInt64(8),
        RowsOut: reader.GetInt64(9),
        RowsRejected: reader.GetInt64(10),
        RowsFailed: reader.GetInt64(11),
        ChunksDone: reader.GetInt32(12),
        ErrorMessage: reader.GetStringOrNull(13),
        UpdatedAt: reader.GetTimeOrNull(14));

    private static RunStatus ParseRunStatus(string value) =>
        RunStatuses.ParseRunStatus(value) ?? ThrowHelper.UnknownStoredValue<RunStatus>("run status", value, "the runs table");
}

using Enrichflow.Core.Storage;

namespace Enrichflow.Storage.Postgres;

public sealed partial class PostgresStore
{
    public Task<IReadOnlySet<long>> GetAcknowledgedAsync(Guid runId, string blockId, long firstBatch, long lastBatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blockId);
        return ReadAsync<IReadOnlySet<long>>(async db => (await db.QueryAsync(
            """
            SELECT batch FROM export_batches
            WHERE run_id = @run AND block_id = @block AND batch BETWEEN @first AND @last
            """,
            reader => reader.GetInt64(0),
            ("run", runId), ("block", blockId), ("first", firstBatch), ("last", lastBatch))).ToHashSet(), cancellationToken);
    }

    public Task RecordAcknowledgedAsync(ExportAcknowledgement acknowledgement, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(acknowledgement);
        return WriteAsync(db => db.ExecuteAsync(
            """
            INSERT INTO export_batches (run_id, block_id, batch, row_count, status, acknowledged_at)
            VALUES (@run, @block, @batch, @rows, @status, @at)
            ON CONFLICT (run_id, block_id, batch) DO NOTHING
            """,
            ("run", acknowledgement.RunId), ("block", acknowledgement.BlockId), ("batch", acknowledgement.Batch),
            ("rows", acknowledgement.RowCount), ("status", acknowledgement.Status), ("at", acknowledgement.AcknowledgedAt)), cancellationToken);
    }

    public Task DeleteExportBatchesAsync(Guid runId, CancellationToken cancellationToken) =>
        WriteAsync(db => db.ExecuteAsync("DELETE FROM export_batches WHERE run_id = @run", ("run", runId)), cancellationToken);
}

namespace Enrichflow.Core.Storage;

/// <summary>
/// The batches an <c>export</c> block has delivered: a batch is recorded once its destination acknowledged it
/// (a 2xx), durably, so a unit that runs again after a crash or a lost lease skips it instead of sending it twice.
/// Recording is idempotent (two units recording the same batch leave one record), so it needs no lease.
/// </summary>
public interface IExportLedger
{
    /// <summary>The batches of block <paramref name="blockId"/> of run <paramref name="runId"/> numbered from <paramref name="firstBatch"/> to <paramref name="lastBatch"/> (inclusive) that were acknowledged.</summary>
    Task<IReadOnlySet<long>> GetAcknowledgedAsync(Guid runId, string blockId, long firstBatch, long lastBatch, CancellationToken cancellationToken);

    /// <summary>Records that the destination acknowledged a batch; recording it again keeps the first record.</summary>
    Task RecordAcknowledgedAsync(ExportAcknowledgement acknowledgement, CancellationToken cancellationToken);

    /// <summary>Forgets every batch of a run (once it has ended, nothing reads them again).</summary>
    Task DeleteExportBatchesAsync(Guid runId, CancellationToken cancellationToken);
}

/// <summary>A batch the destination acknowledged: how many rows it held, the status it answered, and when.</summary>
public sealed record ExportAcknowledgement(Guid RunId, string BlockId, long Batch, int RowCount, int Status, DateTimeOffset AcknowledgedAt);

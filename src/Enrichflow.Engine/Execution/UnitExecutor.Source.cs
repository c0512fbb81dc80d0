using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Rows;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.Results;

namespace Enrichflow.Engine.Execution;

public sealed partial class UnitExecutor
{
    /// <summary>
    /// Cuts the input into chunks. Chunking is deterministic (every N input records), so after a crash the
    /// source re-reads its input and skips the chunks that were already committed.
    /// </summary>
    private async Task RunSourceAsync(ClaimedUnit unit, RunRecord run, WorkflowPlan plan, RunOptions runOptions, CancellationToken cancellationToken)
    {
        // The source streams the whole input in one unit: it runs beside the CPU slots when an I/O slot is free, so the
        // chunk units it feeds use every core while it reads, or waits for them to take its chunks (ChunkHandoff).
        Dispatch.WorkerSlot.Current?.TryMoveToIo();
        var block = plan.Source;
        var source = (SourceBlock)block.Compiled;
        var done = new HashSet<int>(await store.ListDoneChunksAsync(run.Id, block.Id, cancellationToken));
        var input = new SourceInput
        {
            OpenAsync = ct => blobs.OpenReadAsync(runOptions.InputBlobKey, ct).AsTask(),
            FileName = runOptions.InputFileName,
        };
        var chunkSize = Math.Max(1, runOptions.ChunkSize);
        var rows = new List<Row>(chunkSize);
        var rejects = new List<RejectedRow>();
        var chunk = 0;
        long totalRows = 0, totalRejects = 0;

        await foreach (var record in source.ReadAsync(input, ContextFor(run, block), cancellationToken))
        {
            if (record.Row is { } row)
            {
                rows.Add(row);
            }
            else if (record.Reject is { } reject)
            {
                rejects.Add(reject);
            }

            if (rows.Count + rejects.Count >= chunkSize)
            {
                if (!await CommitSourceChunkAsync(unit, run, plan, runOptions, chunk, rows, rejects, done, cancellationToken))
                {
                    return;
                }

                totalRows += rows.Count;
                totalRejects += rejects.Count;
                rows = new List<Row>(chunkSize);
                rejects = [];
                chunk++;
            }
        }

        if (rows.Count + rejects.Count > 0)
        {
            if (!await CommitSourceChunkAsync(unit, run, plan, runOptions, chunk, rows, rejects, done, cancellationToken))
            {
                return;
            }

            totalRows += rows.Count;
            totalRejects += rejects.Count;
            chunk++;
        }

        if (await CommitAsync(unit, new UnitCommit(unit.Key) { SourceChunkCount = chunk }, cancellationToken) is null)
        {
            return;
        }

        LogSourceDone(logger, run.Id, block.Id, chunk, totalRows, totalRejects);
        await coordinator.ReconcileAsync(run.Id, cancellationToken);
    }

    private async Task<bool> CommitSourceChunkAsync(ClaimedUnit unit, RunRecord run, WorkflowPlan plan, RunOptions runOptions, int chunk,
        List<Row> rows, List<RejectedRow> rejects, HashSet<int> done, CancellationToken cancellationToken)
    {
        if (done.Contains(chunk))
        {
            return true;
        }

        var block = plan.Source;
        using (var file = new UnitOutputFile())
        {
            AddBlockOutput(file, plan, block, runOptions, chunk, rows, rejects, () => []);
            await file.WriteAsync(blobs, BlobKeys.UnitOutput(run.Id, block.Id, chunk, unit.LeaseToken), cancellationToken);
        }

        var commit = new UnitCommit(new UnitKey(run.Id, UnitKind.Chunk, block.Id, chunk, block.Position))
        {
            Counters = new UnitCounters(rows.Count + rejects.Count, rows.Count, rejects.Count, 0),
            Enqueue = ChunkUnitsAfter(plan, block, run.Id, chunk),
            FinishesLease = false,
        };
        // Offered before the commit makes the next units claimable; a single reader takes and then owns the rows.
        if (block.Outputs.Count == 1)
        {
            await handoff.WaitForRoomAsync(TimeSpan.FromMilliseconds(50), cancellationToken);
            handoff.Offer(run.Id, block.Id, chunk, unit.LeaseToken, new RowChunk(chunk, rows));
        }

        if (await CommitAsync(unit, commit, cancellationToken) is null)
        {
            handoff.Take(run.Id, block.Id, chunk, unit.LeaseToken);
            return false;
        }

        coordinator.NotifyWork();
        CountCommitted(block, commit.Counters);
        return true;
    }
}

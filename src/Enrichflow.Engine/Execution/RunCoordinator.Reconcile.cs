using Enrichflow.Core.Blocks;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.States;

namespace Enrichflow.Engine.Execution;

// Reconciling a run with committed state: which blocks start, which units are enqueued next.
public sealed partial class RunCoordinator
{
    /// <summary>Ensures the units that committed state calls for exist: a finished block's assembly, the run's finalization.</summary>
    public async Task ReconcileAsync(Guid runId, CancellationToken cancellationToken)
    {
        var run = await store.GetRunAsync(runId, cancellationToken);
        if (run is null || !RunStates.RunsUnits(run.Status) || run.SourceChunkCount is not int total)
        {
            return;
        }

        var (plan, _) = plans.Get(run);
        var blocks = (await store.GetRunBlocksAsync(runId, cancellationToken)).ToDictionary(b => b.BlockId, StringComparer.Ordinal);
        var enqueue = new List<UnitKey>();
        var assembled = 0;
        var sourceChunks = total;
        foreach (var block in plan.Blocks)
        {
            var record = blocks[block.Id];
            total = ChunkCounts.Total(plan, block, sourceChunks);
            var assemble = new UnitKey(runId, UnitKind.Assemble, block.Id, -1, block.Position);
            if (await store.IsUnitDoneAsync(assemble, cancellationToken))
            {
                assembled++;
                if (BlockStates.Allows(record.Status, BlockEvent.Complete))
                {
                    // The assembly committed but the process stopped before it marked the block.
                    await store.ApplyAsync(runId, block.Id, BlockEvent.Complete, time.GetUtcNow(), null, cancellationToken);
                }
            }
            else if (record.ChunksDone >= total)
            {
                await StartBlockAsync(record, cancellationToken);

                enqueue.Add(assemble);
            }
            else if (block.Compiled is TwoPhaseBlock && record.ChunksDone < total
                && await store.CountDoneAsync(runId, UnitKind.Observe, block.Id, cancellationToken) >= total)
            {
                // Every chunk has been observed: the second pass may run (enqueueing is idempotent).
                enqueue.AddRange(Enumerable.Range(0, total).Select(chunk => new UnitKey(runId, UnitKind.Chunk, block.Id, chunk, block.Position)));
                await StartBlockAsync(record, cancellationToken);
            }
            else if (block.Compiled is MergeBlock { HasBuildSide: true } && record.ChunksDone < total
                && block.Inputs.All(e => blocks[e.FromBlockId].ChunksDone >= ChunkCounts.Total(plan, plan[e.FromBlockId], sourceChunks)))
            {
                // A join: every chunk of both inputs is observed (each unit was enqueued when its chunk committed;
                // enqueued again here after a restart or for a block added later, which is idempotent), then its chunks run.
                if (await store.CountDoneAsync(runId, UnitKind.Observe, block.Id, cancellationToken) < ChunkCounts.MergeObserveTotal(plan, block, sourceChunks))
                {
                    enqueue.AddRange(block.Inputs.SelectMany((e, input) => Enumerable.Range(0, ChunkCounts.Total(plan, plan[e.FromBlockId], sourceChunks))
                        .Select(chunk => new UnitKey(runId, UnitKind.Observe, block.Id, ChunkCounts.MergeObserveUnit(block, input, chunk), block.Position))));
                }
                else
                {
                    enqueue.AddRange(Enumerable.Range(0, total).Select(chunk => new UnitKey(runId, UnitKind.Chunk, block.Id, chunk, block.Position)));
                }

                await StartBlockAsync(record, cancellationToken);
            }
            else if (block.Compiled is MergeBlock && record.ChunksDone < total
                && block.Inputs.All(e => blocks[e.FromBlockId].ChunksDone >= ChunkCounts.Total(plan, plan[e.FromBlockId], sourceChunks)))
            {
                // Every input has finished: the merge runs over all their chunks (enqueueing is idempotent).
                enqueue.AddRange(Enumerable.Range(0, total).Select(chunk => new UnitKey(runId, UnitKind.Chunk, block.Id, chunk, block.Position)));
                await StartBlockAsync(record, cancellationToken);
            }
            else if (plan.Extensible && !block.IsSource && block.Compiled is not MergeBlock
                && blocks[block.Inputs[0].FromBlockId].ChunksDone >= ChunkCounts.Total(plan, plan[block.Inputs[0].FromBlockId], sourceChunks))
            {
                // A block added to a growing run reads its parent's committed output, whenever the block was added:
                // once the parent has every chunk, each of the block's units is made to exist (enqueueing is idempotent).
                var kind = block.Compiled is TwoPhaseBlock ? UnitKind.Observe : UnitKind.Chunk;
                enqueue.AddRange(Enumerable.Range(0, total).Select(chunk => new UnitKey(runId, kind, block.Id, chunk, block.Position)));
                await StartBlockAsync(record, cancellationToken);
            }
            else if (record.ChunksDone > 0)
            {
                await StartBlockAsync(record, cancellationToken);
            }
        }

        // An interactive session that still takes blocks does not finalize (docs/architecture.md §3.1).
        if (assembled == plan.Blocks.Count && !RunOptions.FromJson(run.OptionsJson).HoldsOpen)
        {
            var finalize = new UnitKey(runId, UnitKind.Finalize, "", -1, plan.Blocks.Count);
            if (await store.IsUnitDoneAsync(finalize, cancellationToken))
            {
                // The rejects file was written and committed, but the process stopped before the run was marked.
                await CompleteAsync(run, cancellationToken);
                return;
            }

            enqueue.Add(finalize);
        }

        if (enqueue.Count > 0)
        {
            await store.EnqueueUnitsAsync(enqueue, cancellationToken);
            dispatcher.NotifyWorkAvailable();
        }
    }

    /// <summary>Marks a block running when the table lets it start (it is pending), without a write when it does not.</summary>
    private async Task StartBlockAsync(RunBlockRecord block, CancellationToken cancellationToken)
    {
        if (BlockStates.Allows(block.Status, BlockEvent.Start))
        {
            await store.ApplyAsync(block.RunId, block.BlockId, BlockEvent.Start, time.GetUtcNow(), null, cancellationToken);
        }
    }
}

using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.Results;

namespace Enrichflow.Engine.Execution;

// The units of a merge block.
public sealed partial class UnitExecutor
{
    /// <summary>One output chunk of a merge: the input chunk it stands for, through its edge, then the merge.</summary>
    private async Task RunMergeChunkAsync(ClaimedUnit unit, RunRecord run, WorkflowPlan plan, RunOptions runOptions, PlannedBlock merge, CancellationToken cancellationToken)
    {
        var sourceChunks = run.SourceChunkCount
            ?? throw new InvalidOperationException($"Merge '{merge.Id}' ran before its source finished.");
        var (inputIndex, inputChunk) = ChunkCounts.MergeSource(plan, merge, unit.Key.Chunk, sourceChunks);
        var edge = merge.Inputs[inputIndex];
        var input = await ReadInputAsync(run, plan, edge, inputChunk, cancellationToken);
        var output = new ChunkOutput(input.Count);
        var passed = ApplyCondition(edge, input, output);
        MissingColumnException.ThrowIfAbsent(ChecksFor(merge, inputIndex), passed);
        await ((MergeBlock)merge.Compiled).ProcessAsync(inputIndex, passed, output, ContextFor(run, merge), cancellationToken);

        using var file = new UnitOutputFile();
        AddBlockOutput(file, plan, merge, runOptions, unit.Key.Chunk, output.Rows, output.Rejects, () => passed.Columns());
        await file.WriteAsync(blobs, BlobKeys.UnitOutput(run.Id, merge.Id, unit.Key.Chunk, unit.LeaseToken), cancellationToken);
        var commit = new UnitCommit(unit.Key)
        {
            Counters = new UnitCounters(input.Count, output.Rows.Count, output.Rejects.Count, output.FailedCount),
            Enqueue = ChunkUnitsAfter(plan, merge, run.Id, unit.Key.Chunk),
        };
        if (await CommitAsync(unit, commit, cancellationToken) is not { } result)
        {
            return;
        }

        coordinator.NotifyWork();
        CountCommitted(merge, commit.Counters);
        await AfterChunkCommitAsync(run, plan, merge, result, cancellationToken);
    }

    /// <summary>
    /// The first pass of a join over one chunk of one of its inputs (the rows that travel its edge); when every chunk
    /// of both inputs has been observed, the join's chunks are enqueued.
    /// </summary>
    private async Task ObserveMergeInputAsync(ClaimedUnit unit, RunRecord run, WorkflowPlan plan, PlannedBlock merge, CancellationToken cancellationToken)
    {
        var (inputIndex, chunk) = ChunkCounts.MergeObserveSource(merge, unit.Key.Chunk);
        var edge = merge.Inputs[inputIndex];
        var input = await ReadInputAsync(run, plan, edge, chunk, cancellationToken);
        var passed = ApplyCondition(edge, input, new ChunkOutput(0));
        MissingColumnException.ThrowIfAbsent(ChecksFor(merge, inputIndex), passed);
        await ((MergeBlock)merge.Compiled).ObserveAsync(inputIndex, passed, ContextFor(run, merge), cancellationToken);
        if (await CommitAsync(unit, new UnitCommit(unit.Key), cancellationToken) is not { } result)
        {
            return;
        }

        if (result.SourceChunkCount is int sourceChunks
            && await store.CountDoneAsync(run.Id, UnitKind.Observe, merge.Id, cancellationToken) >= ChunkCounts.MergeObserveTotal(plan, merge, sourceChunks))
        {
            await coordinator.ReconcileAsync(run.Id, cancellationToken);
        }
    }

    /// <summary>The joins that observe <paramref name="block"/>'s chunk as soon as it is committed: one unit per input it feeds.</summary>
    private static IEnumerable<UnitKey> MergeUnitsAfter(WorkflowPlan plan, PlannedBlock block, Guid runId, int chunk) =>
        block.Outputs.Select(id => plan[id]).Where(child => child.Compiled is MergeBlock { HasBuildSide: true }).SelectMany(join =>
            Enumerable.Range(0, join.Inputs.Count).Where(i => join.Inputs[i].FromBlockId == block.Id).Select(i =>
                new UnitKey(runId, UnitKind.Observe, join.Id, ChunkCounts.MergeObserveUnit(join, i, chunk), join.Position)));
}

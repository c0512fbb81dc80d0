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
        await ((MergeBlock)merge.Compiled).ProcessAsync(inputIndex, passed, output,
            (buildChunk, ct) => ReadInputAsync(run, plan, merge.Inputs[^1], buildChunk, ct), ContextFor(run, merge), cancellationToken);

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
        await AfterChunkCommitAsync(run, plan, merge, result, cancellationToken);
    }
}

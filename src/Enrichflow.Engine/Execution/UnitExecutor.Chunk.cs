using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Rows;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.Results;

namespace Enrichflow.Engine.Execution;

public sealed partial class UnitExecutor
{
    /// <summary>
    /// Runs a segment of row blocks (see <see cref="Segments"/>) over one chunk: reads the head's input once,
    /// passes the rows through every block in memory, writes each block's output, and commits them all at once.
    /// </summary>
    private async Task RunChunkAsync(ClaimedUnit unit, RunRecord run, WorkflowPlan plan, RunOptions runOptions, CancellationToken cancellationToken)
    {
        var head = plan[unit.Key.BlockId];
        var chunk = unit.Key.Chunk;
        if (head.Compiled is MergeBlock)
        {
            await RunMergeChunkAsync(unit, run, plan, runOptions, head, cancellationToken);
            return;
        }

        var segment = Segments.From(plan, head);
        try
        {
            await RunSegmentAsync(unit, run, plan, runOptions, head, segment, cancellationToken);
        }
        finally
        {
            foreach (var block in segment)
            {
                progress.Clear(run.Id, block.Id, chunk);
            }
        }
    }

    private async Task RunSegmentAsync(ClaimedUnit unit, RunRecord run, WorkflowPlan plan, RunOptions runOptions, PlannedBlock head, IReadOnlyList<PlannedBlock> segment, CancellationToken cancellationToken)
    {
        var chunk = unit.Key.Chunk;
        var input = await ReadInputAsync(run, plan, head.Inputs[0], chunk, cancellationToken);
        using var file = new UnitOutputFile();
        var done = new List<(UnitKey Unit, UnitCounters Counters)>(segment.Count);
        foreach (var block in segment)
        {
            var before = input;
            var output = new ChunkOutput(input.Count);
            try
            {
                var passed = ApplyCondition(block.Inputs[0], input, output);
                MissingColumnException.ThrowIfAbsent(ChecksFor(block, 0), passed);
                var process = block.Compiled switch
                {
                    RowBlock rowBlock => rowBlock.ProcessAsync(passed, output, ContextFor(run, block, chunk), cancellationToken),
                    TwoPhaseBlock twoPhase => twoPhase.ProcessAsync(passed, output, ContextFor(run, block, chunk), cancellationToken),
                    _ => throw new InvalidOperationException($"Block '{block.Id}' ({block.Type.Name}) cannot run over a chunk."),
                };
                await process;
            }
            catch (Exception e) when (e is not OperationCanceledException and not RunPauseException && block != head)
            {
                throw new BlockFailedException(block.Id, e);
            }
            AddBlockOutput(file, plan, block, runOptions, chunk, output.Rows, output.Rejects,
                () => block.Compiled.OutputColumns(before.Columns()) ?? []);
            done.Add((new UnitKey(run.Id, UnitKind.Chunk, block.Id, chunk, block.Position),
                new UnitCounters(input.Count, output.Rows.Count, output.Rejects.Count, output.FailedCount)));
            input = new RowChunk(chunk, output.Rows);
        }

        await file.WriteAsync(blobs, BlobKeys.UnitOutput(run.Id, head.Id, chunk, unit.LeaseToken), cancellationToken);
        var tail = segment[^1];
        var commit = new UnitCommit(done[^1].Unit)
        {
            Counters = done[^1].Counters,
            AlsoDone = done[..^1],
            Enqueue = ChunkUnitsAfter(plan, tail, run.Id, chunk),
        };
        if (await CommitAsync(unit, commit, cancellationToken) is not { } result)
        {
            return;
        }

        coordinator.NotifyWork();
        foreach (var (key, counters) in done)
        {
            CountCommitted(plan[key.BlockId], counters);
        }

        await AfterChunkCommitAsync(run, plan, tail, result, cancellationToken);
    }

    /// <summary>The chunk a block reads: its input block's committed output (handed over in memory when possible).</summary>
    private async Task<RowChunk> ReadInputAsync(RunRecord run, WorkflowPlan plan, PlannedEdge edge, int chunk, CancellationToken cancellationToken)
    {
        var parent = plan[edge.FromBlockId];
        var parentOutput = await store.GetChunkOutputAsync(new UnitKey(run.Id, UnitKind.Chunk, parent.Id, chunk), cancellationToken)
            ?? throw new InvalidOperationException($"Chunk {chunk} of block '{parent.Id}' is not committed; block '{edge.ToBlockId}' cannot read it.");
        if (handoff.Take(run.Id, parent.Id, chunk, parentOutput.OutputTag) is { } rows)
        {
            return rows;
        }

        return await replay.ReadStoredAsync(run.Id, plan, parent, chunk, parentOutput.OutputTag, cancellationToken);
    }

    /// <summary>
    /// The first pass of a two-phase block over one chunk (the rows that travel its edge); when every chunk has
    /// been observed, the second pass is enqueued.
    /// </summary>
    private async Task ObserveAsync(ClaimedUnit unit, RunRecord run, WorkflowPlan plan, CancellationToken cancellationToken)
    {
        var block = plan[unit.Key.BlockId];
        if (block.Compiled is MergeBlock)
        {
            await ObserveMergeInputAsync(unit, run, plan, block, cancellationToken);
            return;
        }

        var edge = block.Inputs[0];
        var input = await ReadInputAsync(run, plan, edge, unit.Key.Chunk, cancellationToken);
        var passed = ApplyCondition(edge, input, new ChunkOutput(0));
        MissingColumnException.ThrowIfAbsent(ChecksFor(block, 0), passed);
        var observe = block.Compiled switch
        {
            TwoPhaseBlock twoPhase => twoPhase.ObserveAsync(passed, ContextFor(run, block), cancellationToken),
            _ => throw new InvalidOperationException($"Block '{block.Id}' has no first pass."),
        };
        await observe;
        if (await CommitAsync(unit, new UnitCommit(unit.Key), cancellationToken) is not { } result)
        {
            return;
        }

        if (result.SourceChunkCount is int sourceChunks
            && await store.CountDoneAsync(run.Id, UnitKind.Observe, block.Id, cancellationToken) >= ChunkCounts.Total(plan, plan[edge.FromBlockId], sourceChunks))
        {
            await coordinator.ReconcileAsync(run.Id, cancellationToken);
        }
    }

    private static List<string> ChecksFor(PlannedBlock block, int inputIndex) => EdgeConditions.ChecksFor(block, inputIndex);

    private static RowChunk ApplyCondition(PlannedEdge edge, RowChunk input, ChunkOutput output) => EdgeConditions.Apply(edge, input, output);
}

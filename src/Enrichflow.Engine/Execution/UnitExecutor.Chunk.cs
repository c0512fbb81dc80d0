using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Rows;
using Enrichflow.Core.Storage;

namespace Enrichflow.Engine.Execution;

public sealed partial class UnitExecutor
{
    /// <summary>Runs a row block over one chunk of its input.</summary>
    private async Task RunChunkAsync(ClaimedUnit unit, RunRecord run, WorkflowPlan plan, CancellationToken cancellationToken)
    {
        var block = plan[unit.Key.BlockId];
        var edge = block.Inputs[0];
        RowChunk input;
        await using (var stream = await blobs.OpenReadAsync(BlobKeys.Chunk(run.Id, edge.FromBlockId, unit.Key.Chunk), cancellationToken))
        {
            input = await ChunkFormat.ReadAsync(stream, cancellationToken);
        }

        var output = new ChunkOutput(input.Count);
        var passed = ApplyCondition(edge, input, output);
        if (block.Compiled is RowBlock rowBlock)
        {
            await rowBlock.ProcessAsync(passed, output, ContextFor(run, block), cancellationToken);
        }
        else
        {
            throw new InvalidOperationException($"Block '{block.Id}' ({block.Type.Name}) cannot run over a chunk.");
        }

        await WriteChunkAsync(run.Id, block.Id, new RowChunk(unit.Key.Chunk, output.Rows), output.Rejects, cancellationToken);
        var commit = new UnitCommit(unit.Key)
        {
            Counters = new UnitCounters(input.Count, output.Rows.Count, output.Rejects.Count, output.FailedCount),
            Enqueue = ChunkUnitsAfter(plan, block, run.Id, unit.Key.Chunk),
        };
        var result = await store.CommitUnitAsync(unit, commit, time.GetUtcNow(), cancellationToken);
        if (!result.Committed)
        {
            LogLeaseLost(logger, run.Id, unit.Key);
            return;
        }

        coordinator.NotifyWork();
        await AfterChunkCommitAsync(run, block, result, cancellationToken);
    }

    /// <summary>Rows for which the edge's condition is false do not travel it; they are rejected naming the edge.</summary>
    private static RowChunk ApplyCondition(PlannedEdge edge, RowChunk input, ChunkOutput output)
    {
        if (edge.Condition is null)
        {
            return input;
        }

        var passed = new List<Row>(input.Count);
        foreach (var row in input.Rows)
        {
            bool keep;
            try
            {
                keep = edge.Condition.IsTrue(row);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                output.Fail(row, $"condition of edge {edge.Label} could not be evaluated: {e.Message}");
                continue;
            }

            if (keep)
            {
                passed.Add(row);
            }
            else
            {
                output.Rejects.Add(new RejectedRow(row.Index, $"condition of edge {edge.Label} is false: {edge.ConditionText}", row) { Edge = edge.Label });
            }
        }

        return new RowChunk(input.Index, passed);
    }
}

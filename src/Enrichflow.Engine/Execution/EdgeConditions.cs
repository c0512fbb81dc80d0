using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Rows;

namespace Enrichflow.Engine.Execution;

/// <summary>An edge's condition over a chunk (docs/api.md §2): the rows it lets through; the others are rejected naming the edge.</summary>
public static class EdgeConditions
{
    /// <summary>
    /// Rows for which the edge's condition is false do not travel it; they are rejected naming the edge. A condition
    /// reading a column that no row of the chunk has is a typo, not a false condition: it fails the block.
    /// </summary>
    public static RowChunk Apply(PlannedEdge edge, RowChunk input, ChunkOutput output)
    {
        ArgumentNullException.ThrowIfNull(edge);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        if (edge.Condition is null)
        {
            return input;
        }

        MissingColumnException.ThrowIfAbsent(edge.ColumnChecks, input, $"the condition of edge {edge.Label}");

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

    /// <summary>The columns the block's specs name that a chunk of its input <paramref name="inputIndex"/> must have (docs/api.md §2.1).</summary>
    public static List<string> ChecksFor(PlannedBlock block, int inputIndex)
    {
        ArgumentNullException.ThrowIfNull(block);
        return [.. block.ColumnChecks.Where(c => c.Input is null || c.Input == inputIndex).Select(c => c.Column)];
    }
}

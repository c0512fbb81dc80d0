using Enrichflow.Core.Blocks;
using Enrichflow.Core.Expressions;
using Enrichflow.Core.Rows;

namespace Enrichflow.Blocks.RowOps;

/// <summary>
/// A compiled <c>transform</c>. Only an <c>expression</c> operation can fail; when the block has one, each row is
/// edited on a copy, so a row whose operation fails goes to rejects as it came in. Otherwise rows are edited in
/// place (the block owns its input rows). Either way the rest of the chunk goes on.
/// </summary>
internal sealed class TransformBlock(List<TransformStep> steps, ColumnEffects columns) : RowBlock
{
    private const int CancellationCheckInterval = 256;

    private readonly bool _canFail = steps.Any(s => s is ExpressionStep);

    /// <summary>How many columns the steps may add: room made once per row, not by growing the row step by step.</summary>
    private readonly int _adds = columns.Adds.Count;

    public override bool Recomputable => true;

    public override IReadOnlyList<string> ReadsColumns => columns.Reads;

    public override IReadOnlyList<string> AddsColumns => columns.Adds;

    public override IReadOnlyList<string> RemovesColumns => columns.Removes;

    public override IReadOnlyList<ColumnReference> ColumnReferences =>
        [.. columns.Reads.Select(c => new ColumnReference(c)), .. columns.Drops.Select(c => new ColumnReference(c) { CheckedAtRunTime = false })];

    public override ValueTask ProcessAsync(RowChunk input, ChunkOutput output, BlockRunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        for (var i = 0; i < input.Rows.Count; i++)
        {
            if (i % CancellationCheckInterval == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var row = input.Rows[i];
            var edited = _canFail ? row.CopyAs(row.Index, _adds) : row;
            edited.EnsureCapacity(edited.Count + _adds);
            if (ApplyAll(edited) is { } failure)
            {
                output.Fail(row, failure);
            }
            else
            {
                output.Emit(edited);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Applies every step; returns the failure reason, or null.</summary>
    private string? ApplyAll(Row row)
    {
        for (var s = 0; s < steps.Count; s++)
        {
            try
            {
                steps[s].Apply(row);
            }
            catch (ExpressionEvaluationException e)
            {
                return $"transform: operation {s} ({steps[s].Op}) failed: {e.Message}";
            }
        }

        return null;
    }
}

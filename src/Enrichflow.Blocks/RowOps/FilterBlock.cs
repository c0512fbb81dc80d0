using Enrichflow.Core.Blocks;
using Enrichflow.Core.Expressions;
using Enrichflow.Core.Rows;

namespace Enrichflow.Blocks.RowOps;

/// <summary>A compiled <c>filter</c>: an expression, or groups of conditions (and within a group, or between groups).</summary>
internal sealed class FilterBlock : RowBlock
{
    private const int CancellationCheckInterval = 256;

    public override bool Recomputable => true;

    private readonly RowExpression? _expression;
    private readonly List<List<FilterPredicate>> _groups = [];

    /// <summary>The reason of every row the expression drops: one string, not one per row.</summary>
    private readonly string? _falseReason;

    public FilterBlock(RowExpression expression)
    {
        _expression = expression;
        _falseReason = $"filter: expression {expression.Text} is false";
        ReadsColumns = expression.Columns;
    }

    public FilterBlock(List<List<FilterPredicate>> groups)
    {
        _groups = groups;
        ReadsColumns = [.. groups.SelectMany(g => g).Select(p => p.Column).Distinct(StringComparer.Ordinal)];
    }

    public override IReadOnlyList<string> ReadsColumns { get; }

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
            if (_expression is not null)
            {
                Apply(row, output);
            }
            else if (FailedConditions(row) is { } failed)
            {
                output.Reject(row, $"filter: {failed}");
            }
            else
            {
                output.Emit(row);
            }
        }

        return ValueTask.CompletedTask;
    }

    private void Apply(Row row, ChunkOutput output)
    {
        bool keep;
        try
        {
            keep = _expression!.IsTrue(row);
        }
        catch (ExpressionEvaluationException e)
        {
            output.Fail(row, $"filter: expression {_expression!.Text} could not be evaluated: {e.Message}");
            return;
        }

        if (keep)
        {
            output.Emit(row);
        }
        else
        {
            output.Reject(row, _falseReason!);
        }
    }

    /// <summary>Null when some group holds; else the first failed condition of each group.</summary>
    private string? FailedConditions(Row row)
    {
        List<string>? failures = null;
        foreach (var group in _groups)
        {
            var failed = FirstFailed(group, row);
            if (failed is null)
            {
                return null;
            }

            (failures ??= []).Add($"{failed.Description} is false");
        }

        return failures is null ? null : string.Join("; ", failures);
    }

    private static FilterPredicate? FirstFailed(List<FilterPredicate> group, Row row)
    {
        foreach (var predicate in group)
        {
            if (!predicate.Test(row))
            {
                return predicate;
            }
        }

        return null;
    }
}

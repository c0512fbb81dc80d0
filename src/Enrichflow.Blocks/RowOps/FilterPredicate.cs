using System.Text.RegularExpressions;
using Enrichflow.Core.Expressions;
using Enrichflow.Core.Rows;

namespace Enrichflow.Blocks.RowOps;

/// <summary>
/// One compiled <c>filter</c> condition. Comparisons follow <see cref="ExpressionValues"/>: numeric when both
/// sides read as numbers, else text ignoring case; a missing column is null, which equals nothing but null and
/// is neither greater nor less than anything.
/// </summary>
internal sealed class FilterPredicate(string column, FilterOperator op, object? value, IReadOnlyList<object?> values, Regex? regex, string description)
{
    public string Column { get; } = column;

    /// <summary>How the condition reads in a reject reason, e.g. <c>[score] greater 5</c>.</summary>
    public string Description { get; } = description;

    public bool Test(Row row)
    {
        var cell = row.TryGetValue(Column, out var v) ? ExpressionValues.Normalize(v) : null;
        return op switch
        {
            FilterOperator.EqualTo => ExpressionValues.AreEqual(cell, value),
            FilterOperator.NotEqualTo => !ExpressionValues.AreEqual(cell, value),
            FilterOperator.Contains => ExpressionValues.Contains(cell, value),
            FilterOperator.NotContains => !ExpressionValues.Contains(cell, value),
            FilterOperator.Greater => Compare(cell) is > 0,
            FilterOperator.GreaterOrEqual => Compare(cell) is >= 0,
            FilterOperator.Less => Compare(cell) is < 0,
            FilterOperator.LessOrEqual => Compare(cell) is <= 0,
            FilterOperator.In => ExpressionValues.IsOneOf(cell, values),
            FilterOperator.NotIn => !ExpressionValues.IsOneOf(cell, values),
            FilterOperator.IsEmpty => RowValues.IsEmpty(cell),
            FilterOperator.IsNotEmpty => !RowValues.IsEmpty(cell),
            _ => ExpressionValues.Text(cell) is { } text && SafeRegex.IsMatch(regex!, text),
        };
    }

    private int? Compare(object? cell) => ExpressionValues.TryCompare(cell, value, out var c) ? c : null;
}

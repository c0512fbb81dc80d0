using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Enrichflow.Blocks.GroupBy;

/// <summary>Specs of <c>group_by</c>: the columns that make a group and what is computed per group.</summary>
public sealed record GroupBySpecs(
    [property: Description("The columns whose values make a group (their text, compared exactly).")] IReadOnlyList<string> GroupBy,
    [property: Description("What each group row carries besides the group columns: [{column, op, as, separator}]; by default one count.")] IReadOnlyList<GroupByAggregation?>? Aggregations = null);

/// <summary>
/// One aggregation of <c>group_by</c>: <paramref name="Op"/> over <paramref name="Column"/>, written as
/// <paramref name="As"/> (default <c>column_op</c>, or <c>count</c> for a count of rows).
/// </summary>
public sealed record GroupByAggregation(
    [property: Description("The column aggregated; optional only for count, which then counts rows.")] string? Column = null,
    [property: Description("count, count_distinct, sum, min, max, avg, first, last, list or concat.")][property: AllowedValues("count", "count_distinct", "sum", "min", "max", "avg", "first", "last", "list", "concat")] string? Op = null,
    [property: Description("The output column (default column_op, or count for a count of rows).")] string? As = null,
    [property: Description("What concat puts between values.")] string Separator = ", ");

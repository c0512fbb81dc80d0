namespace Enrichflow.Blocks.GroupBy;

/// <summary>Specs of <c>group_by</c>: the columns that make a group and what is computed per group.</summary>
/// <param name="GroupBy">The columns whose values make a group (their text, compared exactly).</param>
/// <param name="Aggregations">What each group row carries besides the group columns; by default one <c>count</c>.</param>
public sealed record GroupBySpecs(IReadOnlyList<string> GroupBy, IReadOnlyList<GroupByAggregation?>? Aggregations = null);

/// <summary>
/// One aggregation of <c>group_by</c>: <paramref name="Op"/> over <paramref name="Column"/>, written as
/// <paramref name="As"/> (default <c>column_op</c>, or <c>count</c> for a count of rows).
/// </summary>
/// <param name="Column">The column aggregated; optional only for <c>count</c>, which then counts rows.</param>
/// <param name="Op">count, count_distinct, sum, min, max, avg, first, last, list or concat.</param>
/// <param name="Separator">What <c>concat</c> puts between values.</param>
public sealed record GroupByAggregation(string? Column = null, string? Op = null, string? As = null, string Separator = ", ");

namespace Enrichflow.Blocks.RowOps;

/// <summary>The operators a <c>filter</c> condition may use.</summary>
internal enum FilterOperator
{
    EqualTo,
    NotEqualTo,
    Contains,
    NotContains,
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
    In,
    NotIn,
    IsEmpty,
    IsNotEmpty,
    Matches,
}

internal static class FilterOperators
{
    private static readonly Dictionary<string, FilterOperator> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["equals"] = FilterOperator.EqualTo,
        ["not_equals"] = FilterOperator.NotEqualTo,
        ["contains"] = FilterOperator.Contains,
        ["not_contains"] = FilterOperator.NotContains,
        ["greater"] = FilterOperator.Greater,
        ["greater_or_equal"] = FilterOperator.GreaterOrEqual,
        ["less"] = FilterOperator.Less,
        ["less_or_equal"] = FilterOperator.LessOrEqual,
        ["in"] = FilterOperator.In,
        ["not_in"] = FilterOperator.NotIn,
        ["is_empty"] = FilterOperator.IsEmpty,
        ["is_not_empty"] = FilterOperator.IsNotEmpty,
        ["matches"] = FilterOperator.Matches,
    };

    public static string ValidNames { get; } = string.Join(", ", ByName.Keys);

    public static bool TryParse(string? name, out FilterOperator op) => ByName.TryGetValue(name ?? "", out op);

    public static bool NeedsValue(FilterOperator op) => op is not (FilterOperator.IsEmpty or FilterOperator.IsNotEmpty);
}

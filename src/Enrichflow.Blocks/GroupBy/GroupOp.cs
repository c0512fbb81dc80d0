namespace Enrichflow.Blocks.GroupBy;

/// <summary>The aggregations <c>group_by</c> computes (docs/api.md §5.3).</summary>
internal enum GroupOp { Count, CountDistinct, Sum, Min, Max, Avg, First, Last, List, Concat }

/// <summary>One checked aggregation: the op, the column read (null for a count of rows), the column written.</summary>
internal sealed record GroupAggregation(GroupOp Op, string? Column, string As, string Separator)
{
    public static readonly IReadOnlyDictionary<string, GroupOp> Names = new Dictionary<string, GroupOp>(StringComparer.OrdinalIgnoreCase)
    {
        ["count"] = GroupOp.Count,
        ["count_distinct"] = GroupOp.CountDistinct,
        ["sum"] = GroupOp.Sum,
        ["min"] = GroupOp.Min,
        ["max"] = GroupOp.Max,
        ["avg"] = GroupOp.Avg,
        ["first"] = GroupOp.First,
        ["last"] = GroupOp.Last,
        ["list"] = GroupOp.List,
        ["concat"] = GroupOp.Concat,
    };
}

using Enrichflow.Core.Blocks;

namespace Enrichflow.Blocks.GroupBy;

/// <summary>
/// <c>group_by</c>: one row per group, in first-seen order (docs/api.md §5.3). Memory-bounded and deterministic
/// whatever the chunk timing: the first pass writes each chunk's partial aggregates to the blob store, split by
/// a hash of the group key into buckets; the second pass reduces one bucket at a time (durably, once) and emits
/// each group from the chunk that holds its first row (see <see cref="GroupByBlock"/>).
/// </summary>
public sealed class GroupByBlockType : BlockType<GroupBySpecs>
{
    public override string Name => "group_by";

    public override string SpecsExample => """
        {"group_by": ["company"], "aggregations": [{"op": "count", "as": "leads"}, {"column": "email", "op": "count_distinct"}, {"column": "title", "op": "concat", "separator": "; "}]}
        """;

    public override string Description =>
        "One row per group of the group_by columns, in first-seen order, with the group columns and one column per aggregation " +
        "(count, count_distinct, sum, min, max, avg, first, last, list, concat; 'as' names it, default column_op). " +
        "Partial aggregates are spilled to the blob store, so memory does not grow with the run. " +
        "A row lacking a group_by column goes to rejects with the column named.";

    protected override CompiledBlock? Compile(GroupBySpecs specs, BlockCompileContext context)
    {
        var id = context.Definition.BlockId;
        var columns = specs.GroupBy ?? [];
        if (columns.Count == 0)
        {
            context.AddError("group_by", $"Block '{id}': group_by must name at least one column.");
        }

        for (var i = 0; i < columns.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(columns[i]))
            {
                context.AddError(["group_by", i], $"Block '{id}': group_by[{i}] is empty.");
            }
        }

        var aggregations = new List<GroupAggregation>();
        var written = new HashSet<string>(columns, StringComparer.Ordinal);
        var given = specs.Aggregations ?? [new GroupByAggregation(Op: "count")];
        for (var i = 0; i < given.Count; i++)
        {
            if (Check(given[i], i, id, context) is not { } aggregation)
            {
                continue;
            }

            if (!written.Add(aggregation.As))
            {
                context.AddError(["aggregations", i, "as"], $"Block '{id}': aggregations[{i}] writes column '{aggregation.As}', which another group column or aggregation already writes; give it another 'as'.");
                continue;
            }

            aggregations.Add(aggregation);
        }

        return new GroupByBlock([.. columns], aggregations);
    }

    private static GroupAggregation? Check(GroupByAggregation? given, int i, string id, BlockCompileContext context)
    {
        if (given is null)
        {
            context.AddError(["aggregations", i], $"Block '{id}': aggregations[{i}] must be an object with column, op and as.");
            return null;
        }

        if (string.IsNullOrWhiteSpace(given.Op) || !GroupAggregation.Names.TryGetValue(given.Op.Trim(), out var op))
        {
            context.AddError(["aggregations", i, "op"],
                $"Block '{id}': aggregations[{i}].op must be one of {string.Join(", ", GroupAggregation.Names.Keys)} (got '{given.Op}').");
            return null;
        }

        var column = string.IsNullOrWhiteSpace(given.Column) ? null : given.Column;
        if (column is null && op != GroupOp.Count)
        {
            context.AddError(["aggregations", i, "column"], $"Block '{id}': aggregations[{i}] ({given.Op.Trim().ToLowerInvariant()}) needs a column.");
            return null;
        }

        var name = string.IsNullOrWhiteSpace(given.As)
            ? column is null ? "count" : $"{column}_{given.Op.Trim().ToLowerInvariant()}"
            : given.As;
        return new GroupAggregation(op, column, name, given.Separator ?? ", ");
    }
}

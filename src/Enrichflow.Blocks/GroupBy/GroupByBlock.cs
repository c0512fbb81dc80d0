using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;
using Enrichflow.Core.Storage;

namespace Enrichflow.Blocks.GroupBy;

/// <summary>
/// The compiled <c>group_by</c> block (see <see cref="GroupByBlockType"/>). First pass, per chunk: the chunk's groups
/// (at most a chunk of them) are aggregated and written as partials, one file per bucket. Second pass, per chunk:
/// the buckets the chunk's keys hash to are reduced (once, by whichever unit gets there first; a chunk starts with
/// its own bucket so parallel units spread the work), and the groups whose first row is in the chunk are emitted in
/// the order of those first rows, which gives first-seen order over the run.
/// </summary>
internal sealed class GroupByBlock(IReadOnlyList<string> columns, IReadOnlyList<GroupAggregation> aggregations) : TwoPhaseBlock
{
    public override IReadOnlyList<string> ReadsColumns { get; } =
        [.. columns.Concat(aggregations.Select(a => a.Column).OfType<string>()).Distinct(StringComparer.Ordinal)];

    /// <summary>
    /// Checked against the known columns before the run (a 400 with a did-you-mean), but not against each chunk: a row
    /// without a group column goes to rejects with the reason, as docs/api.md §5.3 says, whatever the rest of its chunk has.
    /// </summary>
    public override IReadOnlyList<ColumnReference> ColumnReferences => [.. ReadsColumns.Select(c => new ColumnReference(c) { CheckedAtRunTime = false })];

    public override IReadOnlyList<string>? OutputColumns(IReadOnlyList<string> input) => [.. columns, .. aggregations.Select(a => a.As)];

    public override async ValueTask ObserveAsync(RowChunk input, BlockRunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var groups = new Dictionary<string, GroupState>(StringComparer.Ordinal);
        var buckets = new List<GroupState>?[GroupSpill.Buckets];
        for (var position = 0; position < input.Count; position++)
        {
            var row = input.Rows[position];
            if (KeyOf(row, out _) is not { } key)
            {
                continue;
            }

            if (!groups.TryGetValue(key, out var state))
            {
                state = GroupState.Start(key, input.Index, position, row, columns, aggregations);
                groups.Add(key, state);
                (buckets[GroupSpill.BucketOf(key)] ??= []).Add(state);
            }

            state.Add(row);
        }

        var spill = Spill(context);
        for (var bucket = 0; bucket < buckets.Length; bucket++)
        {
            if (buckets[bucket] is { } states)
            {
                await spill.WritePartialsAsync(bucket, input.Index, states, cancellationToken);
            }
        }
    }

    public override async ValueTask ProcessAsync(RowChunk input, ChunkOutput output, BlockRunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var buckets = new SortedSet<int>();
        foreach (var row in input.Rows)
        {
            if (KeyOf(row, out var missing) is { } key)
            {
                buckets.Add(GroupSpill.BucketOf(key));
            }
            else
            {
                output.Reject(row, $"group_by: column '{missing}' is missing");
            }
        }

        var spill = Spill(context);
        var groups = new List<(int Position, Row Row)>();
        var start = input.Index % GroupSpill.Buckets;
        foreach (var bucket in buckets.Where(b => b >= start).Concat(buckets.Where(b => b < start)))
        {
            groups.AddRange(await spill.ReadGroupsAsync(input.Index, bucket, cancellationToken));
        }

        foreach (var (_, row) in groups.OrderBy(g => g.Position))
        {
            output.Emit(row);
        }
    }

    /// <summary>Forgets the spilled state once the run can no longer continue (a failed run keeps it for <c>resume</c>).</summary>
    public override async ValueTask OnRunEndedAsync(BlockRunEndContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Run.Status is RunStatus.Completed or RunStatus.Cancelled && context.Services.GetService(typeof(IBlobStore)) is IBlobStore blobs)
        {
            await blobs.DeletePrefixAsync(GroupSpill.Prefix(context.Run.Id, context.BlockId), cancellationToken);
        }
    }

    /// <summary>The group key (the group columns' text, unit-separated); null when a column is absent, named in <paramref name="missing"/>.</summary>
    private string? KeyOf(Row row, out string? missing)
    {
        missing = null;
        if (columns.Count == 1)
        {
            if (!row.TryGetValue(columns[0], out var only))
            {
                missing = columns[0];
                return null;
            }

            return RowValues.ToText(only) ?? "";
        }

        var parts = new string[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            if (!row.TryGetValue(columns[i], out var value))
            {
                missing = columns[i];
                return null;
            }

            parts[i] = RowValues.ToText(value) ?? "";
        }

        return string.Join('\u001f', parts);
    }

    private GroupSpill Spill(BlockRunContext context) =>
        new(BlockServices.Require<IBlobStore>(context, "a blob store"), GroupSpill.Prefix(context.RunId, context.BlockId), columns, aggregations);
}

using Enrichflow.Core.Rows;

namespace Enrichflow.Blocks.GroupBy;

/// <summary>
/// One group's state: where it was first seen (chunk, position in the chunk, row index), its group values and one
/// <see cref="GroupSlot"/> per aggregation. A chunk's states are written as partial rows; a bucket's partials are
/// merged in chunk order into the final state.
/// </summary>
internal sealed class GroupState
{
    private const string KeyColumn = "k", ChunkColumn = "c", PositionColumn = "p";

    public required string Key { get; init; }

    public required int FirstChunk { get; init; }

    public required int FirstPosition { get; init; }

    public required long FirstIndex { get; init; }

    public required object?[] Values { get; init; }

    public required GroupSlot[] Slots { get; init; }

    public static GroupState Start(string key, int chunk, int position, Row row, IReadOnlyList<string> columns, IReadOnlyList<GroupAggregation> aggregations) => new()
    {
        Key = key,
        FirstChunk = chunk,
        FirstPosition = position,
        FirstIndex = row.Index,
        Values = [.. columns.Select(c => row[c])],
        Slots = [.. aggregations.Select(a => new GroupSlot(a))],
    };

    public void Add(Row row)
    {
        foreach (var slot in Slots)
        {
            slot.Add(slot.Aggregation.Column is { } column && row.TryGetValue(column, out var value) ? value : null);
        }
    }

    public void Merge(GroupState later)
    {
        for (var i = 0; i < Slots.Length; i++)
        {
            Slots[i].Merge(later.Slots[i]);
        }
    }

    /// <summary>The state as a row of a partial file (its index is the group's first row index).</summary>
    public Row ToPartial()
    {
        var partial = new Row(FirstIndex, 3 + Values.Length + Slots.Length * 3)
        {
            [KeyColumn] = Key,
            [ChunkColumn] = (long)FirstChunk,
            [PositionColumn] = (long)FirstPosition,
        };
        for (var i = 0; i < Values.Length; i++)
        {
            partial[$"g{i}"] = Values[i];
        }

        for (var i = 0; i < Slots.Length; i++)
        {
            Slots[i].WriteTo(partial, i);
        }

        return partial;
    }

    public static GroupState FromPartial(Row partial, int groupColumns, IReadOnlyList<GroupAggregation> aggregations) => new()
    {
        Key = (string)partial[KeyColumn]!,
        FirstChunk = (int)(long)partial[ChunkColumn]!,
        FirstPosition = (int)(long)partial[PositionColumn]!,
        FirstIndex = partial.Index,
        Values = [.. Enumerable.Range(0, groupColumns).Select(i => partial[$"g{i}"])],
        Slots = [.. aggregations.Select((a, i) => GroupSlot.ReadFrom(a, partial, i))],
    };

    /// <summary>The group's output row: the group columns, then one column per aggregation.</summary>
    public Row ToOutput(IReadOnlyList<string> columns)
    {
        var row = new Row(FirstIndex, columns.Count + Slots.Length + 1);
        for (var i = 0; i < columns.Count; i++)
        {
            row[columns[i]] = Values[i];
        }

        foreach (var slot in Slots)
        {
            row[slot.Aggregation.As] = slot.Result();
        }

        return row;
    }
}

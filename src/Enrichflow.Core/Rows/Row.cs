namespace Enrichflow.Core.Rows;

/// <summary>
/// One record travelling through a workflow: ordered columns to values. Values are <see cref="string"/>,
/// <see cref="long"/>, <see cref="double"/>, <see cref="bool"/>, <c>null</c>, or a
/// <see cref="System.Text.Json.Nodes.JsonNode"/> for nested lists and objects.
/// </summary>
/// <param name="index">The row's 0-based position in the run's input; it never changes downstream.</param>
public sealed class Row(long index) : OrderedDictionary<string, object?>(StringComparer.Ordinal)
{
    public long Index { get; } = index;

    public Row(long index, int capacity) : this(index) => EnsureCapacity(capacity);

    /// <summary>The value as text the way a CSV cell would show it; null when absent or null.</summary>
    public string? GetText(string column) =>
        TryGetValue(column, out var value) ? RowValues.ToText(value) : null;

    /// <summary>Copies this row keeping its index.</summary>
    public Row Clone() => CopyAs(Index);

    /// <summary>Copies this row under another index (nested values copied too), with room for <paramref name="extraColumns"/> more.</summary>
    public Row CopyAs(long index, int extraColumns = 0)
    {
        var copy = new Row(index, Count + extraColumns);
        for (var i = 0; i < Count; i++)
        {
            var (key, value) = GetAt(i);
            copy.Add(key, value is System.Text.Json.Nodes.JsonNode node ? node.DeepClone() : value);
        }

        return copy;
    }
}

using System.Collections;
using Enrichflow.Core.Storage;

namespace Enrichflow.Engine.Dispatch;

/// <summary>
/// The log scope of one unit's execution: <c>RunId</c>, <c>UnitKind</c>, <c>BlockId</c>, <c>Chunk</c> and <c>Unit</c>
/// as structured properties (the JSON log writes them on every line logged while the unit runs).
/// </summary>
internal sealed class UnitLogScope(UnitKey unit) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 5;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("RunId", unit.RunId),
        1 => new("UnitKind", unit.Kind.ToString()),
        2 => new("BlockId", unit.BlockId),
        3 => new("Chunk", unit.Chunk),
        4 => new("Unit", unit.ToString()),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"unit {unit}";
}

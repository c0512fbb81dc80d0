using System.Text.Json;
using Enrichflow.Core.Rows;

namespace Enrichflow.Blocks.Sources;

/// <summary>
/// Reads JSON objects as rows exactly as <see cref="RowValues.ReadRow"/> does (a repeated key keeps its first
/// place and its last value; the same values and errors), for a stream of objects that mostly share their keys
/// (JSONL lines, the elements of an upload's array or a webhook payload): a key equal to the one the previous
/// object had at the same place reuses its string, a short string value that repeats at that place shares one
/// string (<see cref="Utf8ValuePool"/>), and the row is sized for the previous object's key count. Only values
/// without escapes are compared byte for byte; any other goes through <see cref="RowValues"/>.
/// </summary>
internal sealed class JsonRowReader
{
    private const int MaxPlaces = 256;

    private readonly Utf8ValuePool _names = new(MaxPlaces, allowPause: false);
    private readonly Utf8ValuePool _values = new(MaxPlaces, allowPause: true);
    private int _lastCount;

    /// <summary>The object at <paramref name="reader"/> (on its <c>{</c>) as a row; the reader ends on its <c>}</c>.</summary>
    public Row Read(ref Utf8JsonReader reader, long index)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("Expected a JSON object.");
        }

        var row = new Row(index, _lastCount);
        var place = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = place < MaxPlaces ? _names.Get(place, ref reader) : RowValues.ReadString(ref reader);
            reader.Read();
            row[name] = reader.TokenType == JsonTokenType.String && place < MaxPlaces
                ? _values.Get(place, ref reader)
                : RowValues.Read(ref reader);
            place++;
        }

        _lastCount = row.Count;
        return row;
    }
}

/// <summary>
/// The UTF-8 counterpart of <see cref="ValuePool"/>: per place (a key's position in its object), a small
/// direct-mapped table of recent strings with their UTF-8 bytes. A token without escapes whose bytes equal a
/// pooled entry's gets that entry's string; any other token is read by <see cref="RowValues.ReadString"/> (its
/// errors unchanged) and, when short and unescaped, pooled.
/// </summary>
internal sealed class Utf8ValuePool(int places, bool allowPause)
{
    private const int Slots = 64;
    private const int Trial = 1024;
    private const int Pause = 64 * 1024;

    private readonly Entry[]?[] _tables = new Entry[]?[places];
    private readonly Place[] _places = new Place[places];

    public string Get(int place, ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > ValuePool.MaxLength)
        {
            return RowValues.ReadString(ref reader);
        }

        var bytes = reader.ValueSpan;
        if (bytes.IsEmpty)
        {
            return "";
        }

        ref var state = ref _places[place];
        if (state.Skip > 0 && --state.Skip > 0)
        {
            return RowValues.ReadString(ref reader);
        }

        var table = _tables[place] ??= new Entry[Slots];
        ref var slot = ref table[Hash(bytes) & (Slots - 1)];
        if (slot.Utf8 is { } pooled && bytes.SequenceEqual(pooled))
        {
            state.Hits++;
            Count(ref state);
            return slot.Text!;
        }

        var text = RowValues.ReadString(ref reader);
        slot = new Entry(bytes.ToArray(), text);
        Count(ref state);
        return text;
    }

    private void Count(ref Place state)
    {
        if (++state.Lookups < Trial)
        {
            return;
        }

        state.Skip = allowPause && state.Hits * 4 < state.Lookups ? Pause : 0;
        state.Lookups = 0;
        state.Hits = 0;
    }

    /// <summary>FNV-1a over the (at most <see cref="ValuePool.MaxLength"/>) bytes.</summary>
    private static int Hash(ReadOnlySpan<byte> bytes)
    {
        var hash = 2166136261u;
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 16777619u;
        }

        return (int)(hash ^ (hash >> 16));
    }

    private readonly record struct Entry(byte[]? Utf8, string? Text);

    private struct Place
    {
        public int Lookups;
        public int Hits;
        public int Skip;
    }
}

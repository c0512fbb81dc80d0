using System.Buffers.Binary;
using System.Text;

namespace Enrichflow.Core.Rows;

/// <summary>
/// The short strings of one chunk being read (<see cref="ChunkFormat.Parse"/>): a value that repeats down a column
/// (a country, a status, a domain) becomes one string instead of one per row. The strings are equal either way;
/// only allocations differ. A column whose values seldom repeat stops being looked up after a few rows.
/// </summary>
internal readonly struct ChunkStrings
{
    private const int MaxBytes = 32;
    private const int Slots = 512;
    private const int TrialLookups = 64;

    private readonly Entry[] _entries;
    private readonly int[] _lookups;
    private readonly int[] _hits;

    public ChunkStrings(int columns)
    {
        _entries = new Entry[Slots];
        _lookups = new int[columns];
        _hits = new int[columns];
    }

    /// <summary>The UTF-8 text at <paramref name="start"/> of <paramref name="bytes"/> (the whole chunk) as a string.</summary>
    public string Get(ReadOnlySpan<byte> bytes, int start, int length, int column)
    {
        var value = bytes.Slice(start, length);
        if (length == 0)
        {
            return "";
        }

        if (length > MaxBytes || (_lookups[column] >= TrialLookups && _hits[column] * 4 < _lookups[column]))
        {
            return Encoding.UTF8.GetString(value);
        }

        _lookups[column]++;
        ref var entry = ref _entries[Hash(value) & (Slots - 1)];
        if (entry.Text is not null && entry.Length == length && bytes.Slice(entry.Start, length).SequenceEqual(value))
        {
            _hits[column]++;
            return entry.Text;
        }

        var text = Encoding.UTF8.GetString(value);
        entry = new Entry(start, length, text);
        return text;
    }

    private static int Hash(ReadOnlySpan<byte> value)
    {
        const ulong Multiplier = 0x9E3779B97F4A7C15;
        var hash = (ulong)value.Length;
        var i = 0;
        for (; i + 8 <= value.Length; i += 8)
        {
            hash = (hash ^ BinaryPrimitives.ReadUInt64LittleEndian(value[i..])) * Multiplier;
        }

        if (i < value.Length)
        {
            ulong tail = 0;
            for (; i < value.Length; i++)
            {
                tail = (tail << 8) | value[i];
            }

            hash = (hash ^ tail) * Multiplier;
        }

        return (int)(hash >> 40);
    }

    private readonly record struct Entry(int Start, int Length, string? Text);
}

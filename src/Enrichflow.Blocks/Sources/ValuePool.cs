namespace Enrichflow.Blocks.Sources;

/// <summary>
/// Gives short values that repeat in a column (a country, a city, a title) one shared string, so a row holding
/// one allocates nothing for it and the rows a chunk keeps alive are smaller. Each column has a small
/// direct-mapped table (a slot keeps the last value hashed to it). A column whose values rarely repeat (ids,
/// emails) is left alone after a trial of <see cref="Trial"/> values and tried again every <see cref="Pause"/>
/// values, so it costs little more than the <c>ToString</c> it needs anyway. Strings are immutable: sharing one
/// between rows changes nothing a reader can see.
/// </summary>
internal sealed class ValuePool
{
    /// <summary>Longer values are copied without a look-up.</summary>
    public const int MaxLength = 32;

    private const int Slots = 256;
    private const int Trial = 1024;
    private const int Pause = 64 * 1024;

    private readonly string?[][] _tables;
    private readonly Column[] _columns;

    public ValuePool(int columns)
    {
        _tables = new string?[columns][];
        _columns = new Column[columns];
    }

    /// <summary>The value as a string: the pooled one when the column held it recently, else a new one.</summary>
    public string Get(int column, ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return "";
        }

        ref var state = ref _columns[column];
        if (value.Length > MaxLength || state.Skip > 0 && --state.Skip > 0)
        {
            return value.ToString();
        }

        var table = _tables[column] ??= new string?[Slots];
        ref var slot = ref table[string.GetHashCode(value) & (Slots - 1)];
        if (slot is { } pooled && value.SequenceEqual(pooled))
        {
            state.Hits++;
            Count(ref state);
            return pooled;
        }

        var text = value.ToString();
        slot = text;
        Count(ref state);
        return text;
    }

    /// <summary>Ends a trial every <see cref="Trial"/> look-ups: a column that hit on under a quarter of them pauses.</summary>
    private static void Count(ref Column state)
    {
        if (++state.Lookups < Trial)
        {
            return;
        }

        state.Skip = state.Hits * 4 < state.Lookups ? Pause : 0;
        state.Lookups = 0;
        state.Hits = 0;
    }

    private struct Column
    {
        public int Lookups;
        public int Hits;
        public int Skip;
    }
}

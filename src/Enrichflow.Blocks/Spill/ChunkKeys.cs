using System.IO.Hashing;
using System.Runtime.InteropServices;
using Enrichflow.Core.Rows;

namespace Enrichflow.Blocks.Spill;

/// <summary>
/// The keys of one chunk as the first pass of a block that keeps one row per key sees them: each row's key hash, its
/// row index and its position in the chunk, written by <see cref="KeySpill.WriteChunkAsync"/> as one blob.
/// </summary>
internal sealed class ChunkKeys
{
    private readonly SpillEntry[] _entries;

    private ChunkKeys(int capacity) => _entries = new SpillEntry[capacity];

    public int Count { get; private set; }

    public ReadOnlySpan<SpillEntry> Entries => _entries.AsSpan(0, Count);

    /// <summary>The key of every row for which <paramref name="textOf"/> gives one (a row without is left out: it has no key).</summary>
    public static ChunkKeys Of(RowChunk input, Func<Row, string?> textOf)
    {
        ArgumentNullException.ThrowIfNull(input);
        var keys = new ChunkKeys(input.Count);
        for (var position = 0; position < input.Count; position++)
        {
            var row = input.Rows[position];
            if (textOf(row) is { } text)
            {
                var hash = HashOf(text);
                keys._entries[keys.Count++] = new SpillEntry
                {
                    Hi = (ulong)(hash >> 64),
                    Lo = (ulong)hash,
                    Row = row.Index,
                    Chunk = input.Index,
                    Position = position,
                };
            }
        }

        return keys;
    }

    /// <summary>
    /// The 128-bit key hash of a key's text: XxHash128 of its UTF-16 code units. Only this run's spill reads it (the
    /// blobs say which hash wrote them), so it need not be a cryptographic hash nor the notebooks' stored one.
    /// </summary>
    public static UInt128 HashOf(string text) => XxHash128.HashToUInt128(MemoryMarshal.AsBytes(text.AsSpan()));
}

/// <summary>One row's key (a 16-byte hash as two numbers), its row index, and where it sits: chunk and position in it.</summary>
internal struct SpillEntry
{
    public ulong Hi;
    public ulong Lo;
    public long Row;
    public int Chunk;
    public int Position;

    /// <summary>The fine bucket of the key (its hash's first byte): what a reduce partition is made of.</summary>
    public readonly int Bucket => (int)(Hi >> 56);
}

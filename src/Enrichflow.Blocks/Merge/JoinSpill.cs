using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using Enrichflow.Blocks.Spill;
using Enrichflow.Core.Buffers;
using Enrichflow.Core.Rows;
using Enrichflow.Core.Storage;

namespace Enrichflow.Blocks.Merge;

/// <summary>
/// Where a join keeps its state: blobs under <c>runs/{run}/blocks/{block}/join/</c>, a Grace hash join.
/// <code>
/// in1/{chunk}.efj    one chunk of the second input (the build side), its keyed rows hashed into partitions
/// in0/{chunk}.efj    one chunk of the first input (the probe side): each keyed row's key and position, by partition
/// gat/in{0,1}/{partition}.efj the partition's sections of every in file of that side, gathered before its join (GatheredBlobs)
/// out/{partition}.efj the partition's join: for each first-input chunk, its rows' matches (the second input's rows)
/// </code>
/// An <c>in</c> file is "EFJ1" | int32 partitions | int32 length × partitions | the partitions' sections, each an EFC
/// chunk (or nothing when empty). An <c>out</c> file is "EFJ1" | int32 sections | (int32 chunk, int32 length) × sections
/// | the sections in chunk order, each int32 rows | (int32 position, int32 matches) × rows | an EFC chunk of the matches
/// in that order (none for a row with more than <see cref="MaxMatches"/>). Every file is a pure function of the input,
/// written whole or not at all, so a unit that runs twice (or two units joining the same partition at once) writes the
/// same bytes, and a process killed at any point leaves nothing wrong: the out file's presence says its partition is done.
/// </summary>
internal sealed class JoinSpill(IBlobStore blobs, string prefix, string rightKey)
{
    /// <summary>
    /// How many partitions the keys are hashed into. A partition's join holds its share of the second input as rows
    /// in memory (about 1 KB a row of ten columns): 1/32 of a 1M-row second input is ~31,000 rows, ~30 MB, and at most
    /// one partition per worker is joined at once. Every first-input chunk reads a section of every partition's out
    /// file, so more partitions cost more reads (partitions × chunks); 32 keeps both small for inputs of a few million rows.
    /// </summary>
    public const int Partitions = 32;

    /// <summary>At most this many rows of the second input are joined to one row (the output's row numbers have room for them).</summary>
    public const int MaxMatches = 1 << JoinBlock.MatchBits;

    /// <summary>The column of a probe-side key row (its index is the row's position in the chunk).</summary>
    private const string KeyColumn = "k";

    private static ReadOnlySpan<byte> Magic => "EFJ1"u8;

    public static string Prefix(Guid runId, string blockId) => $"runs/{runId:N}/blocks/{blockId}/join/";

    /// <summary>The key a value is matched on: trimmed, case ignored; null when blank (such a row matches nothing).</summary>
    public static string? KeyOf(string? value)
    {
        var text = value?.Trim().ToLowerInvariant();
        return string.IsNullOrEmpty(text) ? null : text;
    }

    public static int PartitionOf(string key)
    {
        // FNV-1a: stable across processes and versions (string.GetHashCode is randomised per process).
        var hash = 2166136261u;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % Partitions);
    }

    /// <summary>Writes one chunk of the second input: its rows with a key, each in its key's partition, in chunk order.</summary>
    public Task WriteBuildAsync(RowChunk build, CancellationToken cancellationToken)
    {
        var partitions = new List<Row>?[Partitions];
        foreach (var row in build.Rows)
        {
            if (KeyOf(row.GetText(rightKey)) is { } key)
            {
                (partitions[PartitionOf(key)] ??= []).Add(row);
            }
        }

        return WriteInputAsync($"{prefix}in1/{build.Index:D7}.efj", build.Index, partitions, cancellationToken);
    }

    /// <summary>Writes one chunk of the first input: the key and position of each of its rows with a key, by partition.</summary>
    public Task WriteProbeAsync(int chunk, IReadOnlyList<string?> keys, CancellationToken cancellationToken)
    {
        var partitions = new List<Row>?[Partitions];
        for (var position = 0; position < keys.Count; position++)
        {
            if (keys[position] is { } key)
            {
                (partitions[PartitionOf(key)] ??= []).Add(new Row(position, 1) { [KeyColumn] = key });
            }
        }

        return WriteInputAsync($"{prefix}in0/{chunk:D7}.efj", chunk, partitions, cancellationToken);
    }

    /// <summary>
    /// Joins one partition (the second input's rows in memory, the first input's keys streamed chunk by chunk) and
    /// writes its out file; skipped when an earlier unit (in this process or before a crash) did. The partition's
    /// sections of every <c>in</c> file are gathered first (<see cref="GatherAsync"/>), so a join reads two blobs.
    /// </summary>
    public async Task EnsureJoinedAsync(int partition, CancellationToken cancellationToken)
    {
        var outKey = OutKey(partition);
        if (await blobs.GetSizeAsync(outKey, cancellationToken) is not null)
        {
            return;
        }

        await GatheredBlobs.EnsureAsync(blobs, GatheredDoneKey, [GatheredKey(1, partition), GatheredKey(0, partition)], GatherAsync, cancellationToken);

        // Gathered in chunk order: each key's rows stay in the second input's order.
        var table = new Dictionary<string, List<Row>>(StringComparer.Ordinal);
        await foreach (var (_, rows) in ReadGatheredAsync(1, partition, cancellationToken))
        {
            foreach (var row in rows.Rows)
            {
                var match = KeyOf(row.GetText(rightKey))!;
                if (!table.TryGetValue(match, out var list))
                {
                    table.Add(match, list = new List<Row>(1));
                }

                list.Add(row);
            }
        }

        using var body = new PooledBuffer();
        var sections = new List<(int Chunk, int Length)>();
        await foreach (var (chunk, probes) in ReadGatheredAsync(0, partition, cancellationToken))
        {
            var start = body.WrittenCount;
            if (WriteMatches(body, probes, table))
            {
                sections.Add((chunk, body.WrittenCount - start));
            }
        }

        await using (var writer = await blobs.CreateAsync(outKey, cancellationToken))
        {
            var header = new byte[8 + 8 * sections.Count];
            Magic.CopyTo(header);
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), sections.Count);
            for (var i = 0; i < sections.Count; i++)
            {
                BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8 + 8 * i), sections[i].Chunk);
                BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12 + 8 * i), sections[i].Length);
            }

            await writer.Stream.WriteAsync(header, cancellationToken);
            await writer.Stream.WriteAsync(body.WrittenMemory, cancellationToken);
            await writer.CommitAsync(cancellationToken);
        }

        await blobs.DeleteAsync(GatheredKey(0, partition), cancellationToken);
        await blobs.DeleteAsync(GatheredKey(1, partition), cancellationToken);
    }

    /// <summary>Opens a joined partition's out file for <see cref="ReadOutIndexAsync"/> and <see cref="ReadMatchesAsync"/>.</summary>
    public Task<BlobReader> OpenOutAsync(int partition, CancellationToken cancellationToken) =>
        BlobReader.OpenAsync(blobs, OutKey(partition), cancellationToken);

    /// <summary>Where each first-input chunk's section is in a joined partition's out file (read once per partition and process).</summary>
    public static async Task<Dictionary<int, (long Offset, int Length)>> ReadOutIndexAsync(BlobReader reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var head = new byte[8];
        await reader.ReadAsync(0, head, cancellationToken);
        CheckMagic(head, "out");
        var index = new byte[8 * BinaryPrimitives.ReadInt32LittleEndian(head.AsSpan(4))];
        await reader.ReadAsync(head.Length, index, cancellationToken);
        var sections = new Dictionary<int, (long Offset, int Length)>(index.Length / 8);
        long offset = head.Length + index.Length;
        for (var i = 0; i < index.Length; i += 8)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(index.AsSpan(i + 4));
            sections.Add(BinaryPrimitives.ReadInt32LittleEndian(index.AsSpan(i)), (offset, length));
            offset += length;
        }

        return sections;
    }

    /// <summary>The matches of the rows of first-input chunk <paramref name="chunk"/> in a joined partition.</summary>
    public static async Task<JoinMatches> ReadMatchesAsync(BlobReader reader, Dictionary<int, (long Offset, int Length)> index, int chunk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(index);
        if (!index.TryGetValue(chunk, out var section))
        {
            return JoinMatches.Empty;
        }

        var bytes = new byte[section.Length];
        await reader.ReadAsync(section.Offset, bytes, cancellationToken);
        return JoinMatches.Parse(bytes);
    }

    /// <summary>
    /// Reads every <c>in</c> file once and adds each partition's sections of either side to its gathered blob
    /// (<see cref="GatheredBlobs"/>), so a partition's join reads two blobs instead of a section of every chunk's
    /// file. Partitions joined already are left out.
    /// </summary>
    private async Task GatherAsync(CancellationToken cancellationToken)
    {
        var todo = new bool[Partitions];
        for (var p = 0; p < Partitions; p++)
        {
            todo[p] = await blobs.GetSizeAsync(OutKey(p), cancellationToken) is null;
        }

        await GatherSideAsync(1, todo, cancellationToken);
        await GatherSideAsync(0, todo, cancellationToken);
        await GatheredBlobs.MarkDoneAsync(blobs, GatheredDoneKey, cancellationToken);
    }

    private async Task GatherSideAsync(int side, bool[] todo, CancellationToken cancellationToken)
    {
        await using var gathered = await GatheredBlobs.CreateAsync(
            blobs, [.. Enumerable.Range(0, Partitions).Select(p => todo[p] ? GatheredKey(side, p) : null)], cancellationToken);
        var header = new byte[8 + 4 * Partitions];
        var body = Array.Empty<byte>();
        // Listed in ordinal order, which is chunk order.
        await foreach (var key in blobs.ListAsync($"{prefix}in{side}/", cancellationToken))
        {
            var length = 0;
            await using (var stream = await blobs.OpenReadAsync(key, cancellationToken))
            {
                await stream.ReadExactlyAsync(header, cancellationToken);
                CheckMagic(header, key);
                for (var p = 0; p < Partitions; p++)
                {
                    length += BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(8 + 4 * p));
                }

                if (body.Length < length)
                {
                    body = new byte[Math.Max(length, body.Length * 2)];
                }

                await stream.ReadExactlyAsync(body.AsMemory(0, length), cancellationToken);
            }

            var offset = 0;
            for (var p = 0; p < Partitions; p++)
            {
                var section = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(8 + 4 * p));
                await gathered.AddAsync(p, ChunkOf(key), body.AsMemory(offset, section), cancellationToken);
                offset += section;
            }
        }

        await gathered.CommitAsync(cancellationToken);
    }

    /// <summary>A partition's gathered sections of one side, in chunk order.</summary>
    private async IAsyncEnumerable<(int Chunk, RowChunk Rows)> ReadGatheredAsync(int side, int partition, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (chunk, section) in GatheredBlobs.ReadAsync(blobs, GatheredKey(side, partition), cancellationToken))
        {
            yield return (chunk, ChunkFormat.Parse(section.Span));
        }
    }

    /// <summary>Writes the section of one first-input chunk: each key row's matches; false (nothing written) when none matched.</summary>
    private static bool WriteMatches(PooledBuffer body, RowChunk probes, Dictionary<string, List<Row>> table)
    {
        var matched = new List<(int Position, int Count)>();
        var rows = new List<Row>();
        foreach (var probe in probes.Rows)
        {
            if (table.TryGetValue((string)probe[KeyColumn]!, out var matches))
            {
                matched.Add(((int)probe.Index, matches.Count));
                if (matches.Count <= MaxMatches)
                {
                    rows.AddRange(matches);
                }
            }
        }

        if (matched.Count == 0)
        {
            return false;
        }

        var span = body.GetSpan(4 + 8 * matched.Count);
        BinaryPrimitives.WriteInt32LittleEndian(span, matched.Count);
        for (var i = 0; i < matched.Count; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[(4 + 8 * i)..], matched[i].Position);
            BinaryPrimitives.WriteInt32LittleEndian(span[(8 + 8 * i)..], matched[i].Count);
        }

        body.Advance(4 + 8 * matched.Count);
        ChunkFormat.Write(body, new RowChunk(probes.Index, rows));
        return true;
    }

    private async Task WriteInputAsync(string key, int chunk, List<Row>?[] partitions, CancellationToken cancellationToken)
    {
        using var body = new PooledBuffer();
        var header = new byte[8 + 4 * Partitions];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), Partitions);
        for (var p = 0; p < Partitions; p++)
        {
            if (partitions[p] is { } rows)
            {
                var start = body.WrittenCount;
                ChunkFormat.Write(body, new RowChunk(chunk, rows));
                BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8 + 4 * p), body.WrittenCount - start);
            }
        }

        await using var writer = await blobs.CreateAsync(key, cancellationToken);
        await writer.Stream.WriteAsync(header, cancellationToken);
        await writer.Stream.WriteAsync(body.WrittenMemory, cancellationToken);
        await writer.CommitAsync(cancellationToken);
    }

    private static void CheckMagic(ReadOnlySpan<byte> header, string key)
    {
        if (!header[..4].SequenceEqual(Magic))
        {
            throw new InvalidDataException($"The join file '{key}' is not in the EFJ1 format.");
        }
    }

    private string OutKey(int partition) => $"{prefix}out/{partition:D2}.efj";

    private string GatheredKey(int side, int partition) => $"{prefix}gat/in{side}/{partition:D2}.efj";

    private string GatheredDoneKey => $"{prefix}gat/done";

    /// <summary>The chunk an <c>in</c> file stands for, from its name (<c>.../in0/0000042.efj</c>).</summary>
    private static int ChunkOf(string key) =>
        int.Parse(key.AsSpan(key.LastIndexOf('/') + 1, 7), NumberStyles.None, CultureInfo.InvariantCulture);
}

/// <summary>The matches of one first-input chunk's rows in one partition, taken in position order.</summary>
internal sealed class JoinMatches(int[] positions, int[] counts, List<Row> rows)
{
    public static JoinMatches Empty => new([], [], []);

    private int _next;
    private int _row;

    /// <summary>The rows of the second input that matched, each row's in the second input's order.</summary>
    public List<Row> Rows => rows;

    public static JoinMatches Parse(ReadOnlySpan<byte> bytes)
    {
        var n = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        var positions = new int[n];
        var counts = new int[n];
        for (var i = 0; i < n; i++)
        {
            positions[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes[(4 + 8 * i)..]);
            counts[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes[(8 + 8 * i)..]);
        }

        return new JoinMatches(positions, counts, ChunkFormat.Parse(bytes[(4 + 8 * n)..]).Rows);
    }

    /// <summary>
    /// How many rows of the second input match the row at <paramref name="position"/> (asked in increasing positions);
    /// they are <see cref="Rows"/> from <paramref name="start"/> on, unless there are more than <see cref="JoinSpill.MaxMatches"/>.
    /// </summary>
    public int Take(int position, out int start)
    {
        start = _row;
        if (_next >= positions.Length || positions[_next] != position)
        {
            return 0;
        }

        var count = counts[_next++];
        if (count <= JoinSpill.MaxMatches)
        {
            _row += count;
        }

        return count;
    }
}

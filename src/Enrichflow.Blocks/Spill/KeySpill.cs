using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Numerics;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Buffers;
using Enrichflow.Core.Rows;
using Enrichflow.Core.Storage;

namespace Enrichflow.Blocks.Spill;

/// <summary>
/// Where a block that keeps one row per key across the whole run (<c>deduplicate</c>, <c>leads_to_company</c>) keeps
/// its keys: hash-partitioned spill blobs under <c>runs/{run}/blocks/{block}/keys/</c>, never a store write per key
/// (docs/architecture.md §3).
/// <code>
/// obs/{chunk}        first pass, one blob per chunk: its keys sorted into 256 buckets by the hash's first byte,
///                    with the bucket offsets in front, so a partition (a range of buckets) is one read
/// plan               the partition count and the observed chunks, fixed from the obs blobs once all exist
/// gat/{R}/{r}        partition r's keys from every obs blob, gathered before its reduce (GatheredBlobs), and
/// gat/{R}/done       the gather's marker; a reduce deletes its gathered blob once its red blob is committed
/// red/{R}/{r}        partition r of R, reduced: the rows that lose to an earlier (keep first) or later (keep last)
///                    row of their key, by chunk and position, with the chunk offsets in front, so a chunk's
///                    slice is one read
/// </code>
/// The second pass of chunk c reduces the partitions nobody reduced yet (starting with its own, c mod R, so
/// parallel units spread the work; a partition another unit of this process is reducing is waited for, not
/// repeated), then reads its slice of each. Every blob is a pure function of the input, written whole or not at
/// all, so a unit that runs twice (or two processes reducing one partition) writes the same bytes, and a process
/// killed at any point leaves nothing a restart would read wrong.
/// </summary>
/// <param name="keysPerPartition">About how many keys one partition holds (tests make it small to get many partitions).</param>
internal sealed class KeySpill(IBlobStore blobs, string prefix, KeyKeep keep, long keysPerPartition = KeySpill.KeysPerPartition)
{
    /// <summary>Fine buckets per chunk blob: the most partitions a run can have.</summary>
    public const int Buckets = 256;

    /// <summary>
    /// The partition count is fixed when the second pass starts, from the number of keys observed: the smallest power
    /// of two that keeps a partition to about a million keys, so one reduce holds at most ~32 MB of entries plus its
    /// losers (10M keys: 16 partitions of ~625k), and at least four partitions so both workers of a small machine
    /// share the reduce. Fewer partitions mean fewer reads (a reduce reads one slice of every chunk blob; a chunk reads
    /// one slice of every partition), so the count stays as small as that memory bound allows.
    /// </summary>
    public const long KeysPerPartition = 1 << 20;
    private const int MinPartitions = 4;

    // "EFK2" (keys hashed with XxHash128; "EFK1" blobs hashed with SHA-256 are not read), "PFK1", "RFK1".
    private const uint ObsMagic = 0x324B4645, PlanMagic = 0x314B4650, ReducedMagic = 0x314B4652;
    private const int EntrySize = 28, LoserSize = 20;
    private const int ObsHeader = 8 + 4 * (Buckets + 1);

    /// <summary>
    /// How many bytes of reduced partitions this process keeps in memory for the second pass's slices: 20 bytes a
    /// duplicate row, so 3.3M duplicates. A run with more reads its slices from the blobs.
    /// </summary>
    private const long LoadedBudget = 64L << 20;

    /// <summary>Reduced partitions read whole, by blob key (<see cref="OpenReducedAsync"/>).</summary>
    private static readonly ConcurrentDictionary<string, byte[]> Loaded = new(StringComparer.Ordinal);
    private static long _loadedBytes;

    public static string Prefix(Guid runId, string blockId) => $"runs/{runId:N}/blocks/{blockId}/keys/";

    /// <summary>The spill of the block <paramref name="context"/> runs.</summary>
    public static KeySpill For(BlockRunContext context, KeyKeep keep)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new KeySpill(BlockServices.Require<IBlobStore>(context, "a blob store"), Prefix(context.RunId, context.BlockId), keep);
    }

    /// <summary>Deletes the block's spill once its run completed or was cancelled; a failed run keeps it for <c>resume</c>.</summary>
    public static async ValueTask ForgetAsync(BlockRunEndContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var prefix = Prefix(context.Run.Id, context.BlockId);
        foreach (var key in Loaded.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)))
        {
            Unload(key);
        }

        if (context.Run.Status is RunStatus.Completed or RunStatus.Cancelled && context.Services.GetService(typeof(IBlobStore)) is IBlobStore blobs)
        {
            await blobs.DeletePrefixAsync(prefix, cancellationToken);
        }
    }

    /// <summary>Writes the first pass's keys of one chunk (its blob name is the chunk's: the same input writes the same bytes).</summary>
    public async Task WriteChunkAsync(int chunk, ChunkKeys keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var length = ObsHeader + keys.Count * EntrySize;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            EncodeChunk(keys.Entries, buffer.AsSpan(0, length));
            await WriteAsync(ObsKey(chunk), buffer.AsMemory(0, length), cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// For each row of <paramref name="input"/> (the chunk the first pass saw), the index of the row its key keeps
    /// when it is not that row, else -1. Throws when the chunk is not the one observed.
    /// </summary>
    public async Task<long[]> KeptRowsAsync(RowChunk input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var plan = await PlanAsync(cancellationToken);
        var kept = new long[input.Count];
        Array.Fill(kept, -1);

        // Its own partition first, so parallel units start different reduces; one another unit is reducing, last.
        var later = new List<int>();
        for (var i = 0; i < plan.Partitions; i++)
        {
            var partition = (input.Index + i) % plan.Partitions;
            if (SpillOnce.IsMaking(ReducedKey(plan, partition)))
            {
                later.Add(partition);
            }
            else
            {
                await ReadSliceAsync(plan, partition, input, kept, cancellationToken);
            }
        }

        foreach (var partition in later)
        {
            await ReadSliceAsync(plan, partition, input, kept, cancellationToken);
        }

        return kept;
    }

    /// <summary>Reads the chunk's slice of a reduced partition into <paramref name="kept"/>, reducing the partition first when nobody has.</summary>
    private async Task ReadSliceAsync(Plan plan, int partition, RowChunk input, long[] kept, CancellationToken cancellationToken)
    {
        var key = ReducedKey(plan, partition);
        await SpillOnce.EnsureAsync(blobs, key, ct => ReduceAsync(plan, partition, key, ct), cancellationToken);
        if (input.Index >= plan.ChunkSlots)
        {
            return; // a chunk after the last observed one (never observed: it has no keys)
        }

        await using var reader = await OpenReducedAsync(key, cancellationToken);
        var bounds = new byte[8];
        await reader.ReadAsync(4 + 4L * input.Index, bounds, cancellationToken);
        var start = BinaryPrimitives.ReadInt32LittleEndian(bounds);
        var end = BinaryPrimitives.ReadInt32LittleEndian(bounds.AsSpan(4));
        if (end == start)
        {
            return;
        }

        var records = new byte[(end - start) * LoserSize];
        await reader.ReadAsync(4 + 4L * (plan.ChunkSlots + 1) + (long)start * LoserSize, records, cancellationToken);
        for (var offset = 0; offset < records.Length; offset += LoserSize)
        {
            var position = BinaryPrimitives.ReadInt32LittleEndian(records.AsSpan(offset));
            var row = BinaryPrimitives.ReadInt64LittleEndian(records.AsSpan(offset + 4));
            if (position >= input.Count || input.Rows[position].Index != row)
            {
                throw new InvalidOperationException(
                    $"Chunk {input.Index} is not the chunk the first pass saw: its position {position} should hold row {row}.");
            }

            kept[position] = BinaryPrimitives.ReadInt64LittleEndian(records.AsSpan(offset + 12));
        }
    }

    /// <summary>
    /// A reduced partition, from this process's memory: every chunk of the second pass reads a slice of every
    /// partition (chunks × partitions reads), so each partition is read whole once and kept while the kept ones fit
    /// <see cref="LoadedBudget"/>; past that, slices are read from the blob.
    /// </summary>
    private async Task<BlobReader> OpenReducedAsync(string key, CancellationToken cancellationToken)
    {
        if (Loaded.TryGetValue(key, out var bytes))
        {
            return BlobReader.Of(bytes);
        }

        var size = await blobs.GetSizeAsync(key, cancellationToken) ?? throw new BlobNotFoundException(key);
        if (size + Interlocked.Read(ref _loadedBytes) > LoadedBudget)
        {
            // Room is made first from other runs' partitions (a run whose end this process did not see).
            foreach (var other in Loaded.Keys.Where(k => !k.StartsWith(prefix, StringComparison.Ordinal)))
            {
                Unload(other);
            }

            if (size + Interlocked.Read(ref _loadedBytes) > LoadedBudget)
            {
                return await BlobReader.OpenAsync(blobs, key, cancellationToken);
            }
        }

        await using (var stream = await blobs.OpenReadAsync(key, cancellationToken))
        {
            bytes = new byte[size];
            await stream.ReadExactlyAsync(bytes, cancellationToken);
        }

        if (Loaded.TryAdd(key, bytes))
        {
            Interlocked.Add(ref _loadedBytes, bytes.Length);
        }

        return BlobReader.Of(bytes);
    }

    private static void Unload(string key)
    {
        if (Loaded.TryRemove(key, out var bytes))
        {
            Interlocked.Add(ref _loadedBytes, -bytes.Length);
        }
    }

    private string ObsKey(int chunk) => $"{prefix}obs/{chunk:D7}";

    private string PlanKey => $"{prefix}plan";

    private string ReducedKey(Plan plan, int partition) => $"{prefix}red/{plan.Partitions:D3}/{partition:D3}";

    private string GatheredKey(Plan plan, int partition) => $"{prefix}gat/{plan.Partitions:D3}/{partition:D3}";

    /// <summary>Written once every partition's gathered blob is: the gather is done.</summary>
    private string GatheredDoneKey(Plan plan) => $"{prefix}gat/{plan.Partitions:D3}/done";

    /// <summary>Header (magic, count, bucket offsets), then the entries grouped by bucket, in chunk position order within one.</summary>
    private static void EncodeChunk(ReadOnlySpan<SpillEntry> entries, Span<byte> buffer)
    {
        Span<int> next = stackalloc int[Buckets + 1];
        next.Clear();
        foreach (var entry in entries)
        {
            next[entry.Bucket + 1]++;
        }

        for (var bucket = 1; bucket <= Buckets; bucket++)
        {
            next[bucket] += next[bucket - 1];
        }

        BinaryPrimitives.WriteUInt32LittleEndian(buffer, ObsMagic);
        BinaryPrimitives.WriteInt32LittleEndian(buffer[4..], entries.Length);
        for (var bucket = 0; bucket <= Buckets; bucket++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(buffer[(8 + 4 * bucket)..], next[bucket]);
        }

        foreach (var entry in entries)
        {
            var at = buffer[(ObsHeader + EntrySize * next[entry.Bucket]++)..];
            BinaryPrimitives.WriteUInt64BigEndian(at, entry.Hi);
            BinaryPrimitives.WriteUInt64BigEndian(at[8..], entry.Lo);
            BinaryPrimitives.WriteInt64LittleEndian(at[16..], entry.Row);
            BinaryPrimitives.WriteInt32LittleEndian(at[24..], entry.Position);
        }
    }

    /// <summary>
    /// The plan, written by the first second-pass unit from the obs blobs (all of them exist then: the second pass
    /// starts once every chunk was observed); later units read it.
    /// </summary>
    private async Task<Plan> PlanAsync(CancellationToken cancellationToken, bool withChunks = false)
    {
        try
        {
            await using var reader = await BlobReader.OpenAsync(blobs, PlanKey, cancellationToken);
            var header = new byte[Plan.HeaderSize];
            await reader.ReadAsync(0, header, cancellationToken);
            var plan = Plan.Decode(header);
            if (withChunks)
            {
                var listed = new byte[4 * plan.ChunkCount];
                await reader.ReadAsync(Plan.HeaderSize, listed, cancellationToken);
                plan = plan with { Chunks = [.. Enumerable.Range(0, plan.ChunkCount).Select(i => BinaryPrimitives.ReadInt32LittleEndian(listed.AsSpan(4 * i)))] };
            }

            return plan;
        }
        catch (BlobNotFoundException)
        {
        }

        var chunks = new List<int>();
        long keys = 0;
        var obs = $"{prefix}obs/";
        await foreach (var blob in blobs.ListInfoAsync(obs, cancellationToken))
        {
            chunks.Add(int.Parse(blob.Key.AsSpan(obs.Length), System.Globalization.CultureInfo.InvariantCulture));
            keys += (blob.Size - ObsHeader) / EntrySize;
        }

        chunks.Sort();
        var partitions = (int)Math.Clamp(BitOperations.RoundUpToPowerOf2((ulong)Math.Max(1, (keys + keysPerPartition - 1) / keysPerPartition)), MinPartitions, Buckets);
        var made = new Plan(partitions, chunks.Count == 0 ? 0 : chunks[^1] + 1, keys, chunks.Count) { Chunks = [.. chunks] };
        await WriteAsync(PlanKey, made.Encode(), cancellationToken);
        return made;
    }

    /// <summary>
    /// Reads the partition's gathered keys (<see cref="GatherAsync"/>), sorts them, picks each key's kept row (lowest
    /// or highest row index, so the answer does not depend on which chunk was observed when) and writes the others
    /// by chunk; the gathered blob is then no longer needed.
    /// </summary>
    private async Task ReduceAsync(Plan plan, int partition, string key, CancellationToken cancellationToken)
    {
        if (plan.Chunks.Length != plan.ChunkCount)
        {
            plan = await PlanAsync(cancellationToken, withChunks: true);
        }

        var gathered = GatheredKey(plan, partition);
        await GatheredBlobs.EnsureAsync(blobs, GatheredDoneKey(plan), [gathered], ct => GatherAsync(plan, ct), cancellationToken);

        // The entries and the write buffer come from the shared pool: the reduces of one run (and of later runs) reuse
        // the same few arrays instead of leaving a large array per partition to the collector (peak RSS).
        var entries = ArrayPool<SpillEntry>.Shared.Rent((int)Math.Max(16, plan.Keys / plan.Partitions * 9 / 8));
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            var count = 0;
            await foreach (var (chunk, section) in GatheredBlobs.ReadAsync(blobs, gathered, cancellationToken))
            {
                var n = section.Length / EntrySize;
                if (count + n > entries.Length)
                {
                    var larger = ArrayPool<SpillEntry>.Shared.Rent(Math.Max(count + n, entries.Length * 3 / 2));
                    entries.AsSpan(0, count).CopyTo(larger);
                    ArrayPool<SpillEntry>.Shared.Return(entries);
                    entries = larger;
                }

                count += DecodeEntries(section.Span, chunk, entries.AsSpan(count));
            }

            var losers = Losers(entries.AsSpan(0, count), keep);
            await WriteReducedAsync(key, entries.AsMemory(0, losers), plan.ChunkSlots, buffer, cancellationToken);
            await blobs.DeleteAsync(gathered, cancellationToken);
        }
        finally
        {
            ArrayPool<SpillEntry>.Shared.Return(entries);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Reads every chunk blob once and adds each partition's keys to its gathered blob (<see cref="GatheredBlobs"/>),
    /// so a reduce reads one blob instead of a slice of every chunk's. Partitions reduced already are left out.
    /// </summary>
    private async Task GatherAsync(Plan plan, CancellationToken cancellationToken)
    {
        var keys = new string?[plan.Partitions];
        for (var p = 0; p < plan.Partitions; p++)
        {
            // Reduced already (before a crash or by another process): left out.
            keys[p] = await blobs.GetSizeAsync(ReducedKey(plan, p), cancellationToken) is null ? GatheredKey(plan, p) : null;
        }

        var body = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            await using var gathered = await GatheredBlobs.CreateAsync(blobs, keys, cancellationToken);
            var header = new byte[ObsHeader];
            foreach (var chunk in plan.Chunks)
            {
                await using (var reader = await BlobReader.OpenAsync(blobs, ObsKey(chunk), cancellationToken))
                {
                    await reader.ReadAsync(0, header, cancellationToken);
                    if (BinaryPrimitives.ReadUInt32LittleEndian(header) != ObsMagic)
                    {
                        throw new InvalidDataException(
                            $"The key spill of chunk {chunk} ({ObsKey(chunk)}) was written by an earlier version of Enrichflow with another key hash; cancel this run and start it again.");
                    }

                    var length = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4)) * EntrySize;
                    if (body.Length < length)
                    {
                        ArrayPool<byte>.Shared.Return(body);
                        body = ArrayPool<byte>.Shared.Rent(length);
                    }

                    await reader.ReadAsync(ObsHeader, body.AsMemory(0, length), cancellationToken);
                }

                for (var p = 0; p < plan.Partitions; p++)
                {
                    var start = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(8 + 4 * (p * Buckets / plan.Partitions)));
                    var end = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(8 + 4 * ((p + 1) * Buckets / plan.Partitions)));
                    await gathered.AddAsync(p, chunk, body.AsMemory(start * EntrySize, (end - start) * EntrySize), cancellationToken);
                }
            }

            await gathered.CommitAsync(cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body);
        }

        await GatheredBlobs.MarkDoneAsync(blobs, GatheredDoneKey(plan), cancellationToken);
    }

    private static int DecodeEntries(ReadOnlySpan<byte> bytes, int chunk, Span<SpillEntry> into)
    {
        var n = 0;
        for (var offset = 0; offset < bytes.Length; offset += EntrySize, n++)
        {
            var at = bytes[offset..];
            into[n] = new SpillEntry
            {
                Hi = BinaryPrimitives.ReadUInt64BigEndian(at),
                Lo = BinaryPrimitives.ReadUInt64BigEndian(at[8..]),
                Row = BinaryPrimitives.ReadInt64LittleEndian(at[16..]),
                Position = BinaryPrimitives.ReadInt32LittleEndian(at[24..]),
                Chunk = chunk,
            };
        }

        return n;
    }

    /// <summary>
    /// Moves the entries whose row is not their key's kept row to the front of <paramref name="entries"/>, by chunk and
    /// position (with <see cref="SpillEntry.Hi"/> holding the row's own index and <see cref="SpillEntry.Row"/> the
    /// kept row's); returns how many there are.
    /// </summary>
    internal static int Losers(Span<SpillEntry> entries, KeyKeep keep)
    {
        entries.Sort(new ByKey());
        var losers = 0;
        for (var start = 0; start < entries.Length;)
        {
            var end = start + 1;
            var kept = entries[start].Row;
            while (end < entries.Length && entries[end].Hi == entries[start].Hi && entries[end].Lo == entries[start].Lo)
            {
                kept = keep == KeyKeep.Last ? Math.Max(kept, entries[end].Row) : Math.Min(kept, entries[end].Row);
                end++;
            }

            // Written in place: the loser count never passes the entry being read.
            for (var i = start; end - start > 1 && i < end; i++)
            {
                if (entries[i].Row != kept)
                {
                    entries[losers++] = new SpillEntry { Chunk = entries[i].Chunk, Position = entries[i].Position, Hi = (ulong)entries[i].Row, Row = kept };
                }
            }

            start = end;
        }

        entries[..losers].Sort(new ByPlace());
        return losers;
    }

    /// <summary>Header (magic, then per chunk slot the offset of its first record), then records: position, row, kept row.</summary>
    private async Task WriteReducedAsync(string key, ReadOnlyMemory<SpillEntry> losers, int chunkSlots, byte[] buffer, CancellationToken cancellationToken)
    {
        var header = new byte[4 + 4 * (chunkSlots + 1)];
        BinaryPrimitives.WriteUInt32LittleEndian(header, ReducedMagic);
        var next = 0;
        for (var slot = 0; slot <= chunkSlots; slot++)
        {
            while (next < losers.Length && losers.Span[next].Chunk < slot)
            {
                next++;
            }

            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4 + 4 * slot), next);
        }

        await using var writer = await blobs.CreateAsync(key, cancellationToken);
        await writer.Stream.WriteAsync(header, cancellationToken);
        var perWrite = buffer.Length / LoserSize;
        for (var done = 0; done < losers.Length; done += perWrite)
        {
            var length = EncodeLosers(losers.Span.Slice(done, Math.Min(perWrite, losers.Length - done)), buffer);
            await writer.Stream.WriteAsync(buffer.AsMemory(0, length), cancellationToken);
        }

        await writer.CommitAsync(cancellationToken);
    }

    private static int EncodeLosers(ReadOnlySpan<SpillEntry> losers, Span<byte> buffer)
    {
        for (var i = 0; i < losers.Length; i++)
        {
            var at = buffer[(i * LoserSize)..];
            BinaryPrimitives.WriteInt32LittleEndian(at, losers[i].Position);
            BinaryPrimitives.WriteInt64LittleEndian(at[4..], (long)losers[i].Hi);
            BinaryPrimitives.WriteInt64LittleEndian(at[12..], losers[i].Row);
        }

        return losers.Length * LoserSize;
    }

    private async Task WriteAsync(string key, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await using var writer = await blobs.CreateAsync(key, cancellationToken);
        await writer.Stream.WriteAsync(bytes, cancellationToken);
        await writer.CommitAsync(cancellationToken);
    }

    private readonly struct ByKey : IComparer<SpillEntry>
    {
        public int Compare(SpillEntry x, SpillEntry y) => x.Hi != y.Hi ? x.Hi.CompareTo(y.Hi) : x.Lo.CompareTo(y.Lo);
    }

    private readonly struct ByPlace : IComparer<SpillEntry>
    {
        public int Compare(SpillEntry x, SpillEntry y) => x.Chunk != y.Chunk ? x.Chunk.CompareTo(y.Chunk) : x.Position.CompareTo(y.Position);
    }

    /// <summary>The partition count, the chunk slots (highest observed chunk + 1), the keys observed and the observed chunks.</summary>
    private sealed record Plan(int Partitions, int ChunkSlots, long Keys, int ChunkCount)
    {
        public const int HeaderSize = 24;

        /// <summary>The observed chunks, when read (a reduce needs them; a chunk's slice does not).</summary>
        public int[] Chunks { get; init; } = [];

        public byte[] Encode()
        {
            var bytes = new byte[HeaderSize + 4 * Chunks.Length];
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, PlanMagic);
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), Partitions);
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), ChunkSlots);
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(12), Keys);
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(20), Chunks.Length);
            for (var i = 0; i < Chunks.Length; i++)
            {
                BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(HeaderSize + 4 * i), Chunks[i]);
            }

            return bytes;
        }

        public static Plan Decode(ReadOnlySpan<byte> header)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(header) != PlanMagic)
            {
                throw new InvalidDataException("The key spill plan is not one this version wrote.");
            }

            return new Plan(BinaryPrimitives.ReadInt32LittleEndian(header[4..]), BinaryPrimitives.ReadInt32LittleEndian(header[8..]),
                BinaryPrimitives.ReadInt64LittleEndian(header[12..]), BinaryPrimitives.ReadInt32LittleEndian(header[20..]));
        }
    }
}

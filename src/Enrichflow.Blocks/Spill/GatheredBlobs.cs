using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Enrichflow.Core.Buffers;
using Enrichflow.Core.Storage;

namespace Enrichflow.Blocks.Spill;

/// <summary>
/// The gathered blobs of a spill: one per partition, "GAT1" then per chunk an int32 chunk, an int32 length and that
/// chunk's section of the partition, in the order the chunks were added. A gather reads every chunk's spill file
/// once and adds each partition's section here, so a partition's pass reads one blob instead of a section of every
/// chunk's file (partitions × chunks reads). Written whole or not at all, like every spill blob.
/// </summary>
internal sealed class GatheredBlobs : IAsyncDisposable
{
    private const int FlushAt = 256 * 1024;

    private static ReadOnlySpan<byte> Magic => "GAT1"u8;

    private readonly BlobWriter?[] _writers;
    private readonly PooledBuffer?[] _pending;

    private GatheredBlobs(int partitions) => (_writers, _pending) = (new BlobWriter?[partitions], new PooledBuffer?[partitions]);

    /// <summary>
    /// Makes sure the gather whose done marker is <paramref name="doneKey"/> ran and that every blob of
    /// <paramref name="needed"/> exists. A gather writes its marker last, and a partition's pass deletes its gathered
    /// blob only after committing what it made of it, so a blob is missing under a marker only when it was lost some
    /// other way: the marker is dropped and the gather run again (it leaves out the partitions already done).
    /// </summary>
    public static async Task EnsureAsync(IBlobStore blobs, string doneKey, IReadOnlyList<string> needed, Func<CancellationToken, Task> gather, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(needed);
        await SpillOnce.EnsureAsync(blobs, doneKey, gather, cancellationToken);
        foreach (var key in needed)
        {
            if (await blobs.GetSizeAsync(key, cancellationToken) is null)
            {
                await blobs.DeleteAsync(doneKey, cancellationToken);
                await SpillOnce.EnsureAsync(blobs, doneKey, gather, cancellationToken);
                return;
            }
        }
    }

    /// <summary>Writes the done marker of a gather, after its blobs are committed.</summary>
    public static async Task MarkDoneAsync(IBlobStore blobs, string doneKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        await using var writer = await blobs.CreateAsync(doneKey, cancellationToken);
        await writer.Stream.WriteAsync(Magic.ToArray(), cancellationToken);
        await writer.CommitAsync(cancellationToken);
    }

    /// <summary>Starts a blob for each partition whose key is not null (a null key leaves its partition out).</summary>
    public static async Task<GatheredBlobs> CreateAsync(IBlobStore blobs, IReadOnlyList<string?> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(keys);
        var gathered = new GatheredBlobs(keys.Count);
        try
        {
            for (var p = 0; p < keys.Count; p++)
            {
                if (keys[p] is { } key)
                {
                    gathered._writers[p] = await blobs.CreateAsync(key, cancellationToken);
                    gathered._pending[p] = new PooledBuffer(FlushAt + 64 * 1024);
                    Magic.CopyTo(gathered._pending[p]!.GetSpan(Magic.Length));
                    gathered._pending[p]!.Advance(Magic.Length);
                }
            }

            return gathered;
        }
        catch
        {
            await gathered.DisposeAsync();
            throw;
        }
    }

    /// <summary>Adds chunk <paramref name="chunk"/>'s section of partition <paramref name="partition"/>; nothing for a partition left out or an empty section.</summary>
    public async ValueTask AddAsync(int partition, int chunk, ReadOnlyMemory<byte> section, CancellationToken cancellationToken)
    {
        if (section.IsEmpty || _pending[partition] is not { } into)
        {
            return;
        }

        var record = into.GetSpan(8 + section.Length);
        BinaryPrimitives.WriteInt32LittleEndian(record, chunk);
        BinaryPrimitives.WriteInt32LittleEndian(record[4..], section.Length);
        section.Span.CopyTo(record[8..]);
        into.Advance(8 + section.Length);
        if (into.WrittenCount >= FlushAt)
        {
            await _writers[partition]!.Stream.WriteAsync(into.WrittenMemory, cancellationToken);
            into.Clear();
        }
    }

    /// <summary>Commits every partition's blob.</summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        for (var p = 0; p < _writers.Length; p++)
        {
            if (_writers[p] is { } writer)
            {
                await writer.Stream.WriteAsync(_pending[p]!.WrittenMemory, cancellationToken);
                await writer.CommitAsync(cancellationToken);
            }
        }
    }

    /// <summary>Discards what was not committed.</summary>
    public async ValueTask DisposeAsync()
    {
        for (var p = 0; p < _writers.Length; p++)
        {
            _pending[p]?.Dispose();
            if (_writers[p] is { } writer)
            {
                await writer.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// A gathered blob's sections in the order they were added. The memory of a section is reused for the next one:
    /// take what is needed from it before asking for the next.
    /// </summary>
    public static async IAsyncEnumerable<(int Chunk, ReadOnlyMemory<byte> Section)> ReadAsync(IBlobStore blobs, string key, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        await using var stream = await blobs.OpenReadAsync(key, cancellationToken);
        var head = new byte[8];
        await stream.ReadExactlyAsync(head.AsMemory(0, Magic.Length), cancellationToken);
        if (!head.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new InvalidDataException($"The gathered spill blob '{key}' is not in the GAT1 format.");
        }

        var bytes = Array.Empty<byte>();
        while (await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken) == head.Length)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(head.AsSpan(4));
            if (bytes.Length < length)
            {
                bytes = new byte[Math.Max(length, bytes.Length * 2)];
            }

            await stream.ReadExactlyAsync(bytes.AsMemory(0, length), cancellationToken);
            yield return (BinaryPrimitives.ReadInt32LittleEndian(head), bytes.AsMemory(0, length));
        }
    }
}

using System.Buffers.Binary;
using System.Text;
using Enrichflow.Core.Buffers;
using Enrichflow.Core.Storage;

namespace Enrichflow.Engine.Results;

/// <summary>What a section of a unit's output file holds.</summary>
public enum SectionKind : byte
{
    /// <summary>The block's rows as CSV, with their own header line.</summary>
    Csv = 0,

    /// <summary>The block's rows as NDJSON lines (when NDJSON or JSON results were asked for).</summary>
    Ndjson = 1,

    /// <summary>The block's rows in the binary chunk form, for the units that read them next.</summary>
    Chunk = 2,

    /// <summary>The rows the block dropped, as <c>rejects.ndjson</c> lines.</summary>
    Rejects = 3,
}

/// <summary>
/// Everything one unit produced for one chunk, in one blob: an index, then each block's sections. One blob per
/// unit (instead of one per block and format) keeps file-system work per chunk small.
/// <code>"EFO1" | int32 sections | each: varint length + UTF-8 block id, byte kind, int64 offset, int64 length | payloads</code>
/// Offsets count from the end of the index.
/// </summary>
public sealed class UnitOutputFile : IDisposable
{
    private static ReadOnlySpan<byte> Magic => "EFO1"u8;

    private readonly PooledBuffer _payload = new(256 * 1024);
    private readonly List<Section> _sections = [];

    /// <summary>The buffer a section is written into; call <see cref="EndSection"/> after writing.</summary>
    public PooledBuffer Payload => _payload;

    public int StartSection() => _payload.WrittenCount;

    public void EndSection(string blockId, SectionKind kind, int start)
    {
        if (_payload.WrittenCount > start)
        {
            _sections.Add(new Section(blockId, kind, start, _payload.WrittenCount - start));
        }
    }

    public async Task WriteAsync(IBlobStore blobs, string key, CancellationToken cancellationToken)
    {
        using var index = new PooledBuffer(1024);
        var head = index.GetSpan(8);
        Magic.CopyTo(head);
        BinaryPrimitives.WriteInt32LittleEndian(head[4..], _sections.Count);
        index.Advance(8);
        foreach (var section in _sections)
        {
            var id = Encoding.UTF8.GetBytes(section.BlockId);
            var span = index.GetSpan(id.Length + 32);
            var at = Varint.Write(span, (ulong)id.Length);
            id.CopyTo(span[at..]);
            at += id.Length;
            span[at++] = (byte)section.Kind;
            BinaryPrimitives.WriteInt64LittleEndian(span[at..], section.Offset);
            BinaryPrimitives.WriteInt64LittleEndian(span[(at + 8)..], section.Length);
            index.Advance(at + 16);
        }

        await using var writer = await blobs.CreateAsync(key, cancellationToken);
        await writer.Stream.WriteAsync(index.WrittenMemory, cancellationToken);
        await writer.Stream.WriteAsync(_payload.WrittenMemory, cancellationToken);
        await writer.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Opens one section of a stored unit file: the stream is positioned at its start and the length says where
    /// it ends. Null when the unit wrote no such section (for example, a block that rejected nothing).
    /// </summary>
    public static async Task<(Stream Stream, long Length)?> OpenSectionAsync(IBlobStore blobs, string key, string blockId, SectionKind kind, CancellationToken cancellationToken)
    {
        var stream = await blobs.OpenReadAsync(key, cancellationToken);
        try
        {
            var head = new byte[8];
            await stream.ReadExactlyAsync(head, cancellationToken);
            if (!head.AsSpan(0, 4).SequenceEqual(Magic))
            {
                throw new InvalidDataException($"Blob '{key}' is not a unit output file.");
            }

            var count = BinaryPrimitives.ReadInt32LittleEndian(head.AsSpan(4));
            // The index is small; read generously and parse it from memory.
            var indexBytes = new byte[Math.Min(stream.Length - 8, 64 + count * 300L)];
            await stream.ReadAtLeastAsync(indexBytes, indexBytes.Length, throwOnEndOfStream: false, cancellationToken);
            var position = 0;
            Section? found = null;
            for (var i = 0; i < count; i++)
            {
                var length = (int)Varint.Read(indexBytes, ref position);
                var id = Encoding.UTF8.GetString(indexBytes, position, length);
                position += length;
                var sectionKind = (SectionKind)indexBytes[position++];
                var offset = BinaryPrimitives.ReadInt64LittleEndian(indexBytes.AsSpan(position));
                var size = BinaryPrimitives.ReadInt64LittleEndian(indexBytes.AsSpan(position + 8));
                position += 16;
                if (id == blockId && sectionKind == kind)
                {
                    found = new Section(id, sectionKind, offset, size);
                }
            }

            if (found is not { } section)
            {
                await stream.DisposeAsync();
                return null;
            }

            stream.Position = 8 + position + section.Offset;
            return (stream, section.Length);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    /// <summary>Reads one whole section into a pooled buffer; null when absent.</summary>
    public static async Task<PooledBuffer?> ReadSectionAsync(IBlobStore blobs, string key, string blockId, SectionKind kind, CancellationToken cancellationToken)
    {
        if (await OpenSectionAsync(blobs, key, blockId, kind, cancellationToken) is not var (stream, length))
        {
            return null;
        }

        await using (stream)
        {
            var buffer = new PooledBuffer((int)length + 1);
            try
            {
                await stream.ReadExactlyAsync(buffer.GetMemory((int)length)[..(int)length], cancellationToken);
                buffer.Advance((int)length);
                return buffer;
            }
            catch
            {
                buffer.Dispose();
                throw;
            }
        }
    }

    /// <summary>Copies one section to <paramref name="destination"/>, skipping its first <paramref name="skip"/> bytes; returns false when absent.</summary>
    public static async Task<bool> CopySectionAsync(IBlobStore blobs, string key, string blockId, SectionKind kind, long skip, Stream destination, CancellationToken cancellationToken)
    {
        if (await OpenSectionAsync(blobs, key, blockId, kind, cancellationToken) is not var (stream, length))
        {
            return false;
        }

        await using (stream)
        {
            stream.Position += skip;
            var remaining = length - skip;
            var scratch = System.Buffers.ArrayPool<byte>.Shared.Rent(81920);
            try
            {
                while (remaining > 0)
                {
                    var read = await stream.ReadAsync(scratch.AsMemory(0, (int)Math.Min(scratch.Length, remaining)), cancellationToken);
                    if (read == 0)
                    {
                        throw new EndOfStreamException($"Blob '{key}' ended inside a section of block '{blockId}'.");
                    }

                    await destination.WriteAsync(scratch.AsMemory(0, read), cancellationToken);
                    remaining -= read;
                }
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(scratch);
            }
        }

        return true;
    }

    public void Dispose() => _payload.Dispose();

    private readonly record struct Section(string BlockId, SectionKind Kind, long Offset, long Length);
}

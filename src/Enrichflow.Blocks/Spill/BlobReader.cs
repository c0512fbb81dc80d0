using Enrichflow.Core.Storage;

namespace Enrichflow.Blocks.Spill;

/// <summary>
/// Reads byte ranges of one blob: straight from the file when the store hands out a <see cref="FileStream"/> (no
/// read-ahead buffer filled for a few bytes), else by seeking, else (a stream that cannot seek) from a copy in memory.
/// </summary>
internal sealed class BlobReader : IAsyncDisposable
{
    private readonly Stream? _stream;
    private readonly byte[]? _bytes;
    private MemoryStream? _copy;

    private BlobReader(Stream? stream, byte[]? bytes) => (_stream, _bytes) = (stream, bytes);

    public static async Task<BlobReader> OpenAsync(IBlobStore blobs, string key, CancellationToken cancellationToken) =>
        new(await blobs.OpenReadAsync(key, cancellationToken), null);

    /// <summary>True when reads go straight to the file (positional reads: any number at once), not through a copy.</summary>
    public bool IsRandomAccess => _stream is FileStream || _bytes is not null;

    /// <summary>A blob already read whole into memory.</summary>
    public static BlobReader Of(byte[] bytes) => new(null, bytes);

    /// <summary>Fills <paramref name="buffer"/> from <paramref name="offset"/>; throws when the blob ends first.</summary>
    public async ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (_bytes is not null)
        {
            if (offset + buffer.Length > _bytes.Length)
            {
                throw new EndOfStreamException($"A spill blob ends before byte {offset + buffer.Length}.");
            }

            _bytes.AsMemory((int)offset, buffer.Length).CopyTo(buffer);
            return;
        }

        if (_stream is FileStream file)
        {
            for (var done = 0; done < buffer.Length;)
            {
                var read = await RandomAccess.ReadAsync(file.SafeFileHandle, buffer[done..], offset + done, cancellationToken);
                if (read == 0)
                {
                    throw new EndOfStreamException($"A spill blob ends before byte {offset + buffer.Length}.");
                }

                done += read;
            }

            return;
        }

        var stream = _stream!;
        if (!stream.CanSeek)
        {
            if (_copy is null)
            {
                _copy = new MemoryStream();
                await stream.CopyToAsync(_copy, cancellationToken);
            }

            stream = _copy;
        }

        stream.Seek(offset, SeekOrigin.Begin);
        await stream.ReadExactlyAsync(buffer, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_stream is not null)
        {
            await _stream.DisposeAsync();
        }

        if (_copy is not null)
        {
            await _copy.DisposeAsync();
        }
    }
}

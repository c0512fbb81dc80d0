using System.Buffers;

namespace Enrichflow.Core.Buffers;

/// <summary>
/// A growable byte buffer rented from a pool: chunk-sized buffers (100 KB to a few MB) would otherwise land on the
/// large object heap once per unit and force full collections.
/// </summary>
public sealed class PooledBuffer(int initialCapacity = 64 * 1024) : IBufferWriter<byte>, IDisposable
{
    /// <summary>
    /// A pool of its own: a unit's output runs to a few MB, beyond what the shared pool keeps, and fresh arrays
    /// that size cost page faults and zeroing on every unit.
    /// </summary>
    private static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(maxArrayLength: 64 * 1024 * 1024, maxArraysPerBucket: 16);

    private byte[] _array = Pool.Rent(Math.Max(256, initialCapacity));
    private int _written;

    public int WrittenCount => _written;

    public ReadOnlyMemory<byte> WrittenMemory => _array.AsMemory(0, _written);

    public ReadOnlySpan<byte> WrittenSpan => _array.AsSpan(0, _written);

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsSpan(_written);
    }

    public void Clear() => _written = 0;

    /// <summary>Reads <paramref name="stream"/> to its end into a new pooled buffer.</summary>
    public static async Task<PooledBuffer> ReadFromAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new PooledBuffer(stream.CanSeek ? (int)Math.Min(int.MaxValue - 1024, stream.Length - stream.Position + 1) : 64 * 1024);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer.GetMemory(16 * 1024), cancellationToken)) > 0)
            {
                buffer.Advance(read);
            }

            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    private void Ensure(int sizeHint)
    {
        var needed = _written + Math.Max(sizeHint, 1);
        if (needed <= _array.Length)
        {
            return;
        }

        var bigger = Pool.Rent(Math.Max(needed, _array.Length * 2));
        _array.AsSpan(0, _written).CopyTo(bigger);
        Pool.Return(_array);
        _array = bigger;
    }

    public void Dispose()
    {
        var array = Interlocked.Exchange(ref _array, []);
        if (array.Length > 0)
        {
            Pool.Return(array);
        }
    }
}

/// <summary>A write-only stream over a <see cref="PooledBuffer"/> (for writers that need a stream, like Sep's).</summary>
public sealed class PooledBufferStream(PooledBuffer buffer) : Stream
{
    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => buffer.WrittenCount;

    public override long Position { get => buffer.WrittenCount; set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer1, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer1, int offset, int count) => Write(buffer1.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> source)
    {
        source.CopyTo(buffer.GetSpan(source.Length));
        buffer.Advance(source.Length);
    }
}

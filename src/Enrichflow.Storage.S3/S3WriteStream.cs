namespace Enrichflow.Storage.S3;

/// <summary>The write-only stream of an <see cref="S3BlobWriter"/>.</summary>
internal sealed class S3WriteStream(S3BlobWriter writer) : Stream
{
    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => writer.Length;

    public override long Position
    {
        get => writer.Length;
        set => throw new NotSupportedException("A blob is written from start to end.");
    }

    public override void Write(byte[] buffer, int offset, int count) => writer.Append(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer) => writer.Append(buffer);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        writer.AppendAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        writer.AppendAsync(buffer, cancellationToken);

    /// <summary>Nothing: a synchronous flush cannot send a part (the SDK is asynchronous); <see cref="FlushAsync"/> does.</summary>
    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => writer.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("A blob being written cannot be read.");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A blob is written from start to end.");

    public override void SetLength(long value) => throw new NotSupportedException("A blob is written from start to end.");
}

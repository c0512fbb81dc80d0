using Amazon.S3;
using Amazon.S3.Model;

namespace Enrichflow.Storage.S3;

/// <summary>
/// A seekable read of one object: the first GET's body is read on from the start; a seek, or a body that breaks off
/// before its end, continues with a range GET from the position, pinned to the first GET's ETag so that a replaced
/// object fails the read (<see cref="IOException"/>) instead of mixing two versions.
/// </summary>
internal sealed class S3ReadStream : Stream
{
    /// <summary>How often a body may break off in a row (no byte read in between) before the read fails.</summary>
    private const int MaxResumes = 3;

    private readonly S3BlobStore _store;
    private readonly string _objectKey;
    private readonly string? _etag;
    private GetObjectResponse? _response;
    private Stream? _body;
    private long _position;
    private long _bodyPosition;

    public S3ReadStream(S3BlobStore store, string objectKey, GetObjectResponse response)
    {
        _store = store;
        _objectKey = objectKey;
        _response = response;
        _body = response.ResponseStream;
        _etag = response.ETag;
        Length = response.ContentLength;
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length { get; }

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => Length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));
        _position = target;
        return target;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var rented = new byte[buffer.Length];
        var read = ReadAsync(rented, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        rented.AsSpan(0, read).CopyTo(buffer);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty || _position >= Length)
        {
            return 0;
        }

        for (var resumes = 0; ; resumes++)
        {
            if (_body is null || _bodyPosition != _position)
            {
                await OpenRangeAsync(cancellationToken);
            }

            try
            {
                var read = await _body!.ReadAsync(buffer[..(int)Math.Min(buffer.Length, Length - _position)], cancellationToken);
                if (read > 0)
                {
                    _position += read;
                    _bodyPosition += read;
                    return read;
                }
            }
            catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested && resumes < MaxResumes)
            {
                // A broken connection, or the SDK's request time-out ending a body read slowly.
            }

            // The body ended or broke before the object's end: continue from here with a range GET.
            if (resumes == MaxResumes)
            {
                throw new IOException($"The S3 object '{_objectKey}' in bucket '{_store.Bucket}' broke off at byte {_position} of {Length} {MaxResumes + 1} times in a row.");
            }

            CloseBody();
        }
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException("A blob is read-only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("A blob is read-only.");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            CloseBody();
        }

        base.Dispose(disposing);
    }

    private async Task OpenRangeAsync(CancellationToken cancellationToken)
    {
        CloseBody();
        var request = new GetObjectRequest
        {
            BucketName = _store.Bucket, Key = _objectKey, ByteRange = new ByteRange(_position, Length - 1), EtagToMatch = _etag,
        };
        _response = await _store.CallAsync("range read", _objectKey, async ct =>
        {
            try
            {
                return await _store.Client.GetObjectAsync(request, ct);
            }
            catch (AmazonS3Exception e) when (e.StatusCode is System.Net.HttpStatusCode.PreconditionFailed or System.Net.HttpStatusCode.NotFound)
            {
                throw new S3BlobStoreException(
                    $"The S3 object '{_objectKey}' in bucket '{_store.Bucket}' was replaced or deleted while it was being read (at byte {_position} of {Length}).",
                    isTransient: false, e.StatusCode, e.ErrorCode, e);
            }
        }, cancellationToken);

        _body = _response.ResponseStream;
        _bodyPosition = _position;
    }

    private void CloseBody()
    {
        _body?.Dispose();
        _response?.Dispose();
        _body = null;
        _response = null;
    }
}

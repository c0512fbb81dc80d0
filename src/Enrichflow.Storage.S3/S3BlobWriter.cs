using Amazon.S3.Model;
using Enrichflow.Core.Storage;

namespace Enrichflow.Storage.S3;

/// <summary>
/// One blob being written. Bytes gather in a buffer; a buffer that reaches the part size starts (or continues) a
/// multipart upload and is sent as the next part, so a large blob is never held whole. Commit sends a small blob as
/// one PUT, or the last part and then CompleteMultipartUpload, the moment the object appears whole. A failure or a
/// dispose without commit aborts the upload, so no part ever becomes an object.
/// </summary>
/// <remarks>
/// Flushing the stream sends what is buffered as the pending part (sent again, under the same part number, until it
/// is full), so a flushed write is on the server and a stale-write sweep can find it by its record.
/// </remarks>
internal sealed class S3BlobWriter : BlobWriter
{
    private readonly S3BlobStore _store;
    private readonly string _objectKey;
    private readonly int _partSize;
    private readonly MemoryStream _buffer = new();
    private readonly List<PartETag> _parts = [];
    private readonly S3WriteStream _stream;
    private string? _uploadId;
    private string? _recordKey;
    private long _sentBytes;
    private bool _committed;
    private bool _failed;
    private bool _disposed;

    public S3BlobWriter(S3BlobStore store, string objectKey)
    {
        _store = store;
        _objectKey = objectKey;
        _partSize = store.Options.PartSize;
        _stream = new S3WriteStream(this);
    }

    public override Stream Stream => _stream;

    /// <summary>Bytes written so far.</summary>
    internal long Length => _sentBytes + _buffer.Length;

    /// <summary>Buffers <paramref name="data"/>; a buffer past the part size is sent at the next asynchronous write, flush or commit.</summary>
    internal void Append(ReadOnlySpan<byte> data)
    {
        ThrowIfClosed();
        _buffer.Write(data);
    }

    internal async ValueTask AppendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ThrowIfClosed();
        while (!data.IsEmpty)
        {
            var take = (int)Math.Min(data.Length, Math.Max(0, _partSize - _buffer.Length));
            _buffer.Write(data.Span[..take]);
            data = data[take..];
            if (_buffer.Length >= _partSize)
            {
                await SendFullPartsAsync(cancellationToken);
            }
        }
    }

    /// <summary>Sends full parts, then what remains as the pending part, and records the write (see the remarks).</summary>
    internal async Task FlushAsync(CancellationToken cancellationToken)
    {
        ThrowIfClosed();
        await SendFullPartsAsync(cancellationToken);
        if (_buffer.Length > 0)
        {
            await StartUploadAsync(cancellationToken);
            await SendPartAsync(0, (int)_buffer.Length, cancellationToken);
            await _store.WriteRecordAsync(_recordKey!, _objectKey, _uploadId!, Length, cancellationToken);
        }
    }

    public override async ValueTask CommitAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_committed)
        {
            throw new InvalidOperationException("The blob was committed already.");
        }

        if (_failed)
        {
            throw new InvalidOperationException("An earlier commit of this blob failed and discarded it; write it again with a new writer.");
        }

        try
        {
            if (_uploadId is null && _buffer.Length <= _partSize)
            {
                await PutWholeAsync(cancellationToken);
            }
            else
            {
                await SendFullPartsAsync(cancellationToken);
                if (_buffer.Length > 0 || _parts.Count == 0)
                {
                    _parts.Add(await SendPartAsync(0, (int)_buffer.Length, cancellationToken));
                }

                await _store.CallAsync("multipart complete", _objectKey, ct => _store.Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
                {
                    BucketName = _store.Bucket, Key = _objectKey, UploadId = _uploadId, PartETags = _parts,
                }, ct), cancellationToken);
                _uploadId = null;
            }
        }
        catch
        {
            _failed = true;
            await DiscardUploadAsync();
            throw;
        }

        _committed = true;
        _buffer.SetLength(0);

        // The object is whole already: a record left behind (a failed delete) goes with the stale-write sweep.
        await DiscardUploadAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_committed)
        {
            await DiscardUploadAsync();
        }

        await _buffer.DisposeAsync();
    }

    private Task PutWholeAsync(CancellationToken cancellationToken) =>
        _store.CallAsync("write", _objectKey, ct => _store.Client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = _store.Bucket,
            Key = _objectKey,
            InputStream = new MemoryStream(_buffer.GetBuffer(), 0, (int)_buffer.Length, writable: false),
            UseChunkEncoding = false,
            AutoCloseStream = false,
        }, ct), cancellationToken);

    /// <summary>Sends every full part in the buffer and keeps the rest at its start.</summary>
    private async Task SendFullPartsAsync(CancellationToken cancellationToken)
    {
        if (_buffer.Length < _partSize)
        {
            return;
        }

        await StartUploadAsync(cancellationToken);
        var offset = 0;
        while (_buffer.Length - offset >= _partSize)
        {
            _parts.Add(await SendPartAsync(offset, _partSize, cancellationToken));
            _sentBytes += _partSize;
            offset += _partSize;
        }

        var rest = (int)_buffer.Length - offset;
        Buffer.BlockCopy(_buffer.GetBuffer(), offset, _buffer.GetBuffer(), 0, rest);
        _buffer.SetLength(rest);
        await _store.WriteRecordAsync(_recordKey!, _objectKey, _uploadId!, Length, cancellationToken);
    }

    /// <summary>Sends buffer bytes as the next part number (the pending part until it is added to the list).</summary>
    private async Task<PartETag> SendPartAsync(int offset, int count, CancellationToken cancellationToken)
    {
        var number = _parts.Count + 1;
        var response = await _store.CallAsync("multipart part", _objectKey, ct => _store.Client.UploadPartAsync(new UploadPartRequest
        {
            BucketName = _store.Bucket,
            Key = _objectKey,
            UploadId = _uploadId,
            PartNumber = number,
            InputStream = new MemoryStream(_buffer.GetBuffer(), offset, count, writable: false),
            PartSize = count,
            UseChunkEncoding = false,
        }, ct), cancellationToken);
        return new PartETag(number, response.ETag);
    }

    private async Task StartUploadAsync(CancellationToken cancellationToken)
    {
        if (_uploadId is not null)
        {
            return;
        }

        var response = await _store.CallAsync("multipart start", _objectKey, ct => _store.Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
        {
            BucketName = _store.Bucket, Key = _objectKey,
        }, ct), cancellationToken);
        _uploadId = response.UploadId;
        _recordKey = _store.NewRecordKey();
        await _store.WriteRecordAsync(_recordKey, _objectKey, _uploadId, 0, cancellationToken);
    }

    /// <summary>Aborts the upload and deletes its record, best effort: a failure is logged, and the upload stays invisible.</summary>
    private async Task DiscardUploadAsync()
    {
        if (_uploadId is { } uploadId)
        {
            _uploadId = null;
            try
            {
                await _store.AbortUploadAsync(_objectKey, uploadId, CancellationToken.None);
            }
            catch (S3BlobStoreException e)
            {
                S3Log.UploadAbortFailed(_store.Logger, _store.Bucket, _objectKey, e);
                return;
            }
        }

        try
        {
            await DeleteRecordAsync(CancellationToken.None);
        }
        catch (S3BlobStoreException e)
        {
            S3Log.UploadAbortFailed(_store.Logger, _store.Bucket, _objectKey, e);
        }
    }

    private async Task DeleteRecordAsync(CancellationToken cancellationToken)
    {
        if (_recordKey is { } recordKey)
        {
            await _store.DeleteObjectAsync(recordKey, cancellationToken);
            _recordKey = null;
        }
    }

    private void ThrowIfClosed()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_committed)
        {
            throw new InvalidOperationException("The blob was committed already; it takes no more bytes.");
        }

        if (_failed)
        {
            throw new InvalidOperationException("An earlier commit of this blob failed and discarded it; write it again with a new writer.");
        }
    }
}

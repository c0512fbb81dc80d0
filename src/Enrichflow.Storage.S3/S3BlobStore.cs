using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Enrichflow.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Enrichflow.Storage.S3;

/// <summary>
/// Blobs as objects in a bucket of an S3-compatible server (path-style addressing), one object per key under
/// <see cref="S3BlobStoreOptions.KeyPrefix"/>. A write is buffered in memory up to one part
/// (<see cref="S3BlobStoreOptions.PartSize"/>) and sent as one PUT at commit; a larger one becomes a multipart upload
/// whose parts are sent as they fill and which S3 makes visible only when it is completed at commit, so a reader sees
/// the old object or the new one, never a part. A multipart upload that fails or is discarded is aborted. Reads are
/// streamed and seekable, with range GETs pinned to the object's ETag (<see cref="S3ReadStream"/>). Every request
/// is retried by the SDK with exponential backoff on 500, 503, throttling, time-outs and broken connections, up to
/// <see cref="S3BlobStoreOptions.MaxRetries"/>, then fails as an <see cref="S3BlobStoreException"/>.
/// </summary>
/// <remarks>
/// A write that has started a multipart upload (it outgrew a part, or its stream was flushed) leaves a small record
/// under <c>&lt;prefix&gt;.uploads/</c> until it is committed or discarded, so that <see cref="DeleteStaleWritesAsync"/>
/// can abort a killed process's uploads on any S3-compatible server. Give the bucket an
/// <c>AbortIncompleteMultipartUpload</c> lifecycle rule as well: it catches an upload whose process died between
/// starting it and writing its record.
/// </remarks>
public sealed class S3BlobStore : IBlobStore, IDisposable
{
    private const int DeleteBatchSize = 1000;

    private readonly IAmazonS3 _client;
    private readonly ILogger _logger;

    /// <exception cref="ArgumentException">The options are not usable; the message lists every problem.</exception>
    public S3BlobStore(S3BlobStoreOptions options, ILogger<S3BlobStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("The S3 blob store's settings are not usable: " + string.Join(" ", problems), nameof(options));
        }

        Options = options;
        _logger = logger ?? NullLogger<S3BlobStore>.Instance;
        _client = CreateClient(options);
    }

    internal S3BlobStoreOptions Options { get; }

    internal IAmazonS3 Client => _client;

    internal ILogger Logger => _logger;

    internal string Bucket => Options.Bucket;

    /// <summary>
    /// Checks at start that the bucket exists and the credentials are accepted, by listing one key under the prefix.
    /// </summary>
    /// <exception cref="S3BlobStoreException">The bucket is missing, the credentials are refused or the server cannot be reached; the message names the setting.</exception>
    public async Task CheckAsync(CancellationToken cancellationToken) =>
        await CallAsync("access check", null, ct => _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = Options.KeyPrefix, MaxKeys = 1 }, ct), cancellationToken);

    public ValueTask<BlobWriter> CreateAsync(string key, CancellationToken cancellationToken)
    {
        var objectKey = ObjectKeyOf(key);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult<BlobWriter>(new S3BlobWriter(this, objectKey));
    }

    public async ValueTask<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        var objectKey = ObjectKeyOf(key);
        var response = await CallAsync("read", objectKey, async ct =>
        {
            try
            {
                return await _client.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = objectKey }, ct);
            }
            catch (AmazonS3Exception e) when (S3Errors.IsNotFound(e))
            {
                throw new BlobNotFoundException(key);
            }
        }, cancellationToken);
        return new S3ReadStream(this, objectKey, response);
    }

    public async ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken)
    {
        var objectKey = ObjectKeyOf(key);
        return await CallAsync<long?>("size", objectKey, async ct =>
        {
            try
            {
                var metadata = await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = objectKey }, ct);
                return metadata.ContentLength;
            }
            catch (AmazonS3Exception e) when (S3Errors.IsNotFound(e))
            {
                return null;
            }
        }, cancellationToken);
    }

    public async ValueTask DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var objectKey = ObjectKeyOf(key);
        await DeleteObjectAsync(objectKey, cancellationToken);
    }

    /// <remarks>The keys are listed, then deleted a thousand to a request.</remarks>
    public async ValueTask DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        S3Keys.Validate(prefix, nameof(prefix), isPrefix: true);
        var keys = new List<string>();
        await foreach (var info in ListObjectsAsync(prefix, cancellationToken))
        {
            keys.Add(Options.KeyPrefix + info.Key);
        }

        foreach (var batch in keys.Chunk(DeleteBatchSize))
        {
            var request = new DeleteObjectsRequest { BucketName = Bucket, Objects = [.. batch.Select(k => new KeyVersion { Key = k })], Quiet = true };
            var response = await CallAsync("prefix delete", prefix, ct => _client.DeleteObjectsAsync(request, ct), cancellationToken);
            if (response.DeleteErrors is { Count: > 0 } errors)
            {
                throw new S3BlobStoreException(
                    $"S3 prefix delete of '{Options.KeyPrefix}{prefix}' in bucket '{Bucket}' left {errors.Count} objects, e.g. '{errors[0].Key}': {errors[0].Code}: {errors[0].Message}",
                    isTransient: true, null, errors[0].Code, null);
            }
        }
    }

    /// <remarks>Every page of the listing is read, then the keys are sorted ordinally (servers differ in their order).</remarks>
    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        S3Keys.Validate(prefix, nameof(prefix), isPrefix: true);
        await foreach (var info in ListObjectsAsync(prefix, cancellationToken))
        {
            yield return info.Key;
        }
    }

    /// <remarks>Sizes and times are the objects' own (their LastModified, in UTC).</remarks>
    public IAsyncEnumerable<BlobInfo> ListInfoAsync(string prefix, CancellationToken cancellationToken)
    {
        S3Keys.Validate(prefix, nameof(prefix), isPrefix: true);
        return ListObjectsAsync(prefix, cancellationToken);
    }

    /// <remarks>
    /// The writes whose record (see the class remarks) was last written before <paramref name="writtenBefore"/>: each
    /// upload is aborted and its record deleted; the bytes are those its writer had sent. A writer still open on one
    /// then fails at commit (S3 answers NoSuchUpload), which is why the age should be generous.
    /// </remarks>
    public async ValueTask<(int Count, long Bytes)> DeleteStaleWritesAsync(DateTimeOffset writtenBefore, CancellationToken cancellationToken)
    {
        var (count, bytes) = (0, 0L);
        var records = new List<string>();
        await foreach (var info in ListRawAsync(Options.KeyPrefix + S3Keys.UploadsSegment + "/", cancellationToken))
        {
            if (info.LastWritten < writtenBefore)
            {
                records.Add(info.Key);
            }
        }

        foreach (var recordKey in records)
        {
            var record = await ReadRecordAsync(recordKey, cancellationToken);
            if (record is not { } found)
            {
                continue;
            }

            await AbortUploadAsync(found.ObjectKey, found.UploadId, cancellationToken);
            await DeleteObjectAsync(recordKey, cancellationToken);
            S3Log.StaleWriteRemoved(_logger, Bucket, found.ObjectKey, found.Bytes);
            (count, bytes) = (count + 1, bytes + found.Bytes);
        }

        return (count, bytes);
    }

    public async ValueTask<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await CheckAsync(cancellationToken);
            return true;
        }
        catch (S3BlobStoreException)
        {
            return false;
        }
    }

    public void Dispose() => _client.Dispose();

    /// <summary>Runs one SDK call; its failures (after the SDK's retries) become <see cref="S3BlobStoreException"/>s naming <paramref name="operation"/> and the object.</summary>
    internal async Task<T> CallAsync<T>(string operation, string? objectKey, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call(cancellationToken);
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or TimeoutException
                                      or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            if (e is S3BlobStoreException)
            {
                throw;
            }

            throw S3Errors.Translate(e, Options, operation, objectKey);
        }
    }

    /// <summary>The key of the record of a write in progress.</summary>
    internal string NewRecordKey() => Options.KeyPrefix + S3Keys.UploadsSegment + "/" + Guid.NewGuid().ToString("N");

    /// <summary>Writes (or rewrites) the record of a write in progress: which object, which upload, how many bytes sent.</summary>
    internal Task WriteRecordAsync(string recordKey, string objectKey, string uploadId, long bytes, CancellationToken cancellationToken)
    {
        var content = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{objectKey}\n{uploadId}\n{bytes}"));
        return CallAsync("upload record", recordKey, ct => _client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = Bucket, Key = recordKey, InputStream = new MemoryStream(content, writable: false), UseChunkEncoding = false,
        }, ct), cancellationToken);
    }

    /// <summary>Aborts a multipart upload; nothing to abort (already gone, or a server that cannot abort) is not an error.</summary>
    internal async Task AbortUploadAsync(string objectKey, string uploadId, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync("multipart abort", objectKey, ct => _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = Bucket, Key = objectKey, UploadId = uploadId }, ct), cancellationToken);
        }
        catch (S3BlobStoreException e) when (e.InnerException is AmazonS3Exception s3 && S3Errors.IsAbortUnneeded(s3))
        {
        }
    }

    internal Task DeleteObjectAsync(string objectKey, CancellationToken cancellationToken) =>
        CallAsync("delete", objectKey, ct => _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = objectKey }, ct), cancellationToken);

    private async Task<(string ObjectKey, string UploadId, long Bytes)?> ReadRecordAsync(string recordKey, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            using var response = await CallAsync("upload record read", recordKey, ct => _client.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = recordKey }, ct), cancellationToken);
            using var reader = new StreamReader(response.ResponseStream, Encoding.UTF8);
            text = await reader.ReadToEndAsync(cancellationToken);
        }
        catch (S3BlobStoreException e) when (e.InnerException is AmazonS3Exception s3 && S3Errors.IsNotFound(s3))
        {
            return null;
        }

        var lines = text.Split('\n');
        return lines.Length == 3 && long.TryParse(lines[2], NumberStyles.None, CultureInfo.InvariantCulture, out var bytes)
            ? (lines[0], lines[1], bytes)
            : null;
    }

    /// <summary>The blobs under <paramref name="prefix"/> (relative keys, records left out), sorted ordinally.</summary>
    private async IAsyncEnumerable<BlobInfo> ListObjectsAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var infos = new List<BlobInfo>();
        await foreach (var info in ListRawAsync(Options.KeyPrefix + prefix, cancellationToken))
        {
            var relative = info.Key[Options.KeyPrefix.Length..];
            if (!S3Keys.IsUploadRecord(relative))
            {
                infos.Add(info with { Key = relative });
            }
        }

        infos.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var info in infos)
        {
            yield return info;
        }
    }

    /// <summary>Every object whose full key starts with <paramref name="fullPrefix"/>, page by page.</summary>
    private async IAsyncEnumerable<BlobInfo> ListRawAsync(string fullPrefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = fullPrefix };
        while (true)
        {
            var response = await CallAsync("list", fullPrefix, ct => _client.ListObjectsV2Async(request, ct), cancellationToken);
            foreach (var item in response.S3Objects ?? [])
            {
                var written = item.LastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime(), TimeSpan.Zero) : DateTimeOffset.MinValue;
                yield return new BlobInfo(item.Key, item.Size ?? 0, written);
            }

            if (response.IsTruncated != true || string.IsNullOrEmpty(response.NextContinuationToken))
            {
                yield break;
            }

            request.ContinuationToken = response.NextContinuationToken;
        }
    }

    private string ObjectKeyOf(string key)
    {
        S3Keys.Validate(key, nameof(key), isPrefix: false);
        return Options.KeyPrefix + key;
    }

    private static AmazonS3Client CreateClient(S3BlobStoreOptions options)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = true,
            AuthenticationRegion = options.Region,
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = options.MaxRetries,
            Timeout = options.RequestTimeout,
            ConnectTimeout = options.ConnectTimeout,

            // Checksums only where S3 requires them: S3-compatible servers rarely understand the trailing checksums
            // (aws-chunked bodies) the SDK would otherwise send.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (options.ServiceUrl is { } url)
        {
            config.ServiceURL = url.ToString();
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        return options.AccessKey is { Length: > 0 } accessKey
            ? new AmazonS3Client(new BasicAWSCredentials(accessKey, options.SecretKey), config)
            : new AmazonS3Client(config);
    }
}

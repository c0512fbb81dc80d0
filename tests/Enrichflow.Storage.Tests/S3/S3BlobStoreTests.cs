using System.Net;
using System.Text;
using Enrichflow.Core.Storage;
using Enrichflow.Fakes;
using Enrichflow.Storage.S3;

namespace Enrichflow.Storage.Tests.S3;

/// <summary>What only the S3 store does: multipart uploads, range reads, retries, and clear errors, on the real server (through a fault proxy where a test needs faults).</summary>
public sealed class S3BlobStoreTests : IAsyncLifetime
{
    private const int PartSize = S3BlobStoreOptions.MinimumPartSize;
    private string _bucket = "";
    private S3FaultProxy? _proxy;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private S3FaultProxy Proxy => _proxy ?? throw new InvalidOperationException("Not initialized.");

    public async ValueTask InitializeAsync()
    {
        _bucket = await S3TestServer.CreateBucketAsync(Ct);
        _proxy = new S3FaultProxy(S3TestServer.Address);
    }

    public async ValueTask DisposeAsync()
    {
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_blob_above_the_part_size_round_trips_byte_identical_through_a_multipart_upload()
    {
        using var store = Store(proxied: true);
        var content = new byte[(2 * PartSize) + 123_457];
        new Random(7).NextBytes(content);

        await using (var writer = await store.CreateAsync("runs/r1/big.bin", Ct))
        {
            for (var offset = 0; offset < content.Length; offset += 700_001)
            {
                await writer.Stream.WriteAsync(content.AsMemory(offset, Math.Min(700_001, content.Length - offset)), Ct);
            }

            Assert.Null(await store.GetSizeAsync("runs/r1/big.bin", Ct));
            await writer.CommitAsync(Ct);
        }

        Assert.Equal(content.Length, await store.GetSizeAsync("runs/r1/big.bin", Ct));
        Assert.Equal(content, await ReadAsync(store, "runs/r1/big.bin"));
        Assert.Equal(3, Proxy.Count(r => r.StartsWith("PUT ", StringComparison.Ordinal) && r.Contains("partNumber=", StringComparison.Ordinal)));
        Assert.Equal(1, Proxy.Count(r => r.StartsWith("POST ", StringComparison.Ordinal) && r.Contains("uploadId=", StringComparison.Ordinal)));
        Assert.Equal(["runs/r1/big.bin"], await S3TestServer.RawKeysAsync(_bucket, Ct));
    }

    [Fact]
    public async Task A_blob_written_synchronously_past_the_part_size_still_round_trips()
    {
        using var store = Store();
        var content = new byte[PartSize + 10];
        new Random(8).NextBytes(content);

        await using (var writer = await store.CreateAsync("sync.bin", Ct))
        {
            writer.Stream.Write(content, 0, content.Length);
            await writer.CommitAsync(Ct);
        }

        Assert.Equal(content, await ReadAsync(store, "sync.bin"));
    }

    [Fact]
    public async Task A_read_seeks_with_a_range_get()
    {
        using var store = Store(proxied: true);
        await WriteAsync(store, "data", Encoding.UTF8.GetBytes("0123456789"));
        await using var stream = await store.OpenReadAsync("data", Ct);

        Assert.True(stream.CanSeek);
        Assert.Equal(10, stream.Length);
        stream.Seek(7, SeekOrigin.Begin);
        var buffer = new byte[3];
        await stream.ReadExactlyAsync(buffer, Ct);

        Assert.Equal("789", Encoding.UTF8.GetString(buffer));
        Assert.Equal(0, await stream.ReadAsync(buffer, Ct));
        Assert.Equal(2, Proxy.Count(r => r.StartsWith("GET /" + _bucket + "/data", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_read_whose_body_breaks_off_goes_on_with_a_range_get_from_where_it_stopped()
    {
        using var store = Store(proxied: true);
        var content = new byte[1_000_000];
        new Random(9).NextBytes(content);
        await WriteAsync(store, "broken", content);
        Proxy.BreakOff(1, 300_000, r => r.StartsWith("GET ", StringComparison.Ordinal));

        Assert.Equal(content, await ReadAsync(store, "broken"));
        Assert.Equal(2, Proxy.Count(r => r.StartsWith("GET ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_read_that_outlasts_the_request_time_out_still_reads_whole()
    {
        var options = S3TestServer.Options(_bucket, Proxy.Address);
        options.RequestTimeout = TimeSpan.FromSeconds(1);
        using var store = new S3BlobStore(options);
        var content = new byte[3_000_000];
        new Random(10).NextBytes(content);
        await WriteAsync(store, "long", content);

        await using var stream = await store.OpenReadAsync("long", Ct);
        var read = new byte[content.Length];
        await stream.ReadExactlyAsync(read.AsMemory(0, 1000), Ct);
        await Task.Delay(TimeSpan.FromSeconds(2), Ct);
        await stream.ReadExactlyAsync(read.AsMemory(1000), Ct);

        Assert.Equal(content, read);
    }

    [Fact]
    public async Task Answers_of_500_and_503_are_retried_until_the_request_succeeds()
    {
        using var store = Store(proxied: true);
        Proxy.Fail(2, HttpStatusCode.ServiceUnavailable, "SlowDown", r => r.StartsWith("PUT ", StringComparison.Ordinal));
        Proxy.Fail(1, HttpStatusCode.InternalServerError, "InternalError", r => r.StartsWith("PUT ", StringComparison.Ordinal));
        Proxy.Fail(2, HttpStatusCode.InternalServerError, "InternalError", r => r.StartsWith("GET ", StringComparison.Ordinal));

        await WriteAsync(store, "retried", Encoding.UTF8.GetBytes("made it"));

        Assert.Equal("made it", Encoding.UTF8.GetString(await ReadAsync(store, "retried")));
        Assert.Equal(4, Proxy.Count(r => r.StartsWith("PUT ", StringComparison.Ordinal)));
        Assert.Equal(3, Proxy.Count(r => r.StartsWith("GET ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_slow_answer_times_out_and_is_retried()
    {
        var options = S3TestServer.Options(_bucket, Proxy.Address);
        options.RequestTimeout = TimeSpan.FromSeconds(1);
        using var store = new S3BlobStore(options);
        await WriteAsync(store, "slow", Encoding.UTF8.GetBytes("eventually"));
        Proxy.Delay(1, TimeSpan.FromSeconds(10), r => r.StartsWith("GET ", StringComparison.Ordinal));

        Assert.Equal("eventually", Encoding.UTF8.GetString(await ReadAsync(store, "slow")));
        Assert.Equal(2, Proxy.Count(r => r.StartsWith("GET ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_server_that_keeps_failing_gives_a_clear_transient_error_after_the_retries()
    {
        var options = S3TestServer.Options(_bucket, Proxy.Address);
        options.MaxRetries = 2;
        using var store = new S3BlobStore(options);
        Proxy.Fail(100, HttpStatusCode.ServiceUnavailable, "SlowDown", r => r.StartsWith("PUT ", StringComparison.Ordinal));

        var error = await Assert.ThrowsAsync<S3BlobStoreException>(() => WriteAsync(store, "never", [1, 2, 3]));

        Assert.True(error.IsTransient);
        Assert.Equal("SlowDown", error.ErrorCode);
        Assert.Contains("after 3 attempts", error.Message, StringComparison.Ordinal);
        Assert.Contains("503", error.Message, StringComparison.Ordinal);
        Assert.Contains("'never'", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, Proxy.Count(r => r.StartsWith("PUT ", StringComparison.Ordinal)));
        Assert.Null(await Store().GetSizeAsync("never", Ct));
    }

    [Fact]
    public async Task A_multipart_write_that_fails_part_way_leaves_no_object_and_no_record()
    {
        var options = S3TestServer.Options(_bucket, Proxy.Address);
        options.MaxRetries = 1;
        using var store = new S3BlobStore(options);
        await WriteAsync(store, "other", [1]);
        Proxy.Fail(100, HttpStatusCode.InternalServerError, "InternalError", r => r.StartsWith("PUT ", StringComparison.Ordinal) && r.Contains("partNumber=2", StringComparison.Ordinal));
        var content = new byte[(2 * PartSize) + 5];

        await using (var writer = await store.CreateAsync("half", Ct))
        {
            var error = await Assert.ThrowsAsync<S3BlobStoreException>(async () =>
            {
                await writer.Stream.WriteAsync(content, Ct);
                await writer.CommitAsync(Ct);
            });
            Assert.Contains("multipart part", error.Message, StringComparison.Ordinal);
            Assert.Null(await store.GetSizeAsync("half", Ct));
        }

        Assert.Null(await store.GetSizeAsync("half", Ct));
        Assert.Equal(["other"], await store.ListAsync("", Ct).ToListAsync(Ct));
        Assert.Equal(["other"], await S3TestServer.RawKeysAsync(_bucket, Ct));
        Assert.Equal(1, Proxy.Count(r => r.StartsWith("DELETE ", StringComparison.Ordinal) && r.Contains("uploadId=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_commit_that_fails_leaves_the_old_blob_whole()
    {
        var options = S3TestServer.Options(_bucket, Proxy.Address);
        options.MaxRetries = 0;
        using var store = new S3BlobStore(options);
        await WriteAsync(store, "kept", Encoding.UTF8.GetBytes("old"));
        Proxy.Fail(1, HttpStatusCode.InternalServerError, "InternalError", r => r.StartsWith("PUT ", StringComparison.Ordinal));

        await using (var writer = await store.CreateAsync("kept", Ct))
        {
            await writer.Stream.WriteAsync(Encoding.UTF8.GetBytes("new"), Ct);
            await Assert.ThrowsAsync<S3BlobStoreException>(async () => await writer.CommitAsync(Ct));
            await Assert.ThrowsAsync<InvalidOperationException>(async () => await writer.CommitAsync(Ct));
        }

        Assert.Equal("old", Encoding.UTF8.GetString(await ReadAsync(store, "kept")));
    }

    [Fact]
    public async Task A_missing_bucket_fails_the_start_check_naming_the_bucket_and_the_setting()
    {
        using var store = new S3BlobStore(S3TestServer.Options("no-such-bucket-" + Guid.NewGuid().ToString("N")[..8]));

        var error = await Assert.ThrowsAsync<S3BlobStoreException>(() => store.CheckAsync(Ct));

        Assert.Equal("NoSuchBucket", error.ErrorCode);
        Assert.False(error.IsTransient);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains(S3BlobStoreOptions.BucketSetting, error.Message, StringComparison.Ordinal);
        Assert.Contains("'no-such-bucket-", error.Message, StringComparison.Ordinal);
        Assert.False(await store.PingAsync(Ct));
    }

    /// <summary>s3rver checks the access key id (it knows one) but not a V4 signature, so this one runs against the server itself.</summary>
    [Fact]
    public async Task An_unknown_access_key_fails_the_start_check_naming_the_setting()
    {
        var options = S3TestServer.Options(_bucket);
        options.AccessKey = "WRONGKEY";
        using var store = new S3BlobStore(options);

        var error = await Assert.ThrowsAsync<S3BlobStoreException>(() => store.CheckAsync(Ct));

        Assert.Equal("InvalidAccessKeyId", error.ErrorCode);
        Assert.Contains("'WRONGKEY'", error.Message, StringComparison.Ordinal);
        Assert.Contains(S3BlobStoreOptions.AccessKeySetting, error.Message, StringComparison.Ordinal);
    }

    /// <summary>s3rver does not verify V4 signatures, so the proxy answers as S3 does for a wrong secret key.</summary>
    [Fact]
    public async Task A_wrong_secret_key_fails_the_start_check_naming_the_setting()
    {
        using var store = Store(proxied: true);
        Proxy.Fail(1, HttpStatusCode.Forbidden, "SignatureDoesNotMatch", _ => true);

        var error = await Assert.ThrowsAsync<S3BlobStoreException>(() => store.CheckAsync(Ct));

        Assert.Equal("SignatureDoesNotMatch", error.ErrorCode);
        Assert.False(error.IsTransient);
        Assert.Contains(S3BlobStoreOptions.SecretKeySetting, error.Message, StringComparison.Ordinal);
        Assert.Single(Proxy.Requests);
    }

    [Fact]
    public async Task An_unreachable_server_fails_the_start_check_naming_the_address_setting()
    {
        var options = S3TestServer.Options(_bucket, new Uri("http://127.0.0.1:1/"));
        options.MaxRetries = 1;
        using var store = new S3BlobStore(options);

        var error = await Assert.ThrowsAsync<S3BlobStoreException>(() => store.CheckAsync(Ct));

        Assert.True(error.IsTransient);
        Assert.Contains(S3BlobStoreOptions.ServiceUrlSetting, error.Message, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_good_bucket_passes_the_start_check()
    {
        using var store = Store();

        await store.CheckAsync(Ct);
        Assert.True(await store.PingAsync(Ct));
    }

    private S3BlobStore Store(bool proxied = false) => new(S3TestServer.Options(_bucket, proxied ? Proxy.Address : null));

    private static async Task WriteAsync(IBlobStore store, string key, byte[] content)
    {
        await using var writer = await store.CreateAsync(key, Ct);
        await writer.Stream.WriteAsync(content, Ct);
        await writer.CommitAsync(Ct);
    }

    private static async Task<byte[]> ReadAsync(IBlobStore store, string key)
    {
        await using var stream = await store.OpenReadAsync(key, Ct);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, Ct);
        return buffer.ToArray();
    }
}

using System.Text;
using Enrichflow.Core.Storage;

namespace Enrichflow.Storage.Tests.Compliance;

/// <summary>What every <see cref="IBlobStore"/> backend must do.</summary>
public abstract class BlobStoreCompliance : IAsyncLifetime
{
    private IBlobStore? _store;

    protected IBlobStore Store => _store ?? throw new InvalidOperationException("The store is not initialized.");

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Makes a fresh, empty blob store.</summary>
    protected abstract ValueTask<IBlobStore> CreateStoreAsync(CancellationToken cancellationToken);

    public async ValueTask InitializeAsync() => _store = await CreateStoreAsync(Ct);

    public virtual async ValueTask DisposeAsync()
    {
        if (_store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task A_committed_blob_reads_back_whole()
    {
        var content = new byte[300_000];
        new Random(42).NextBytes(content);

        await WriteAsync("runs/r1/chunks/0001.bin", content);

        Assert.Equal(content, await ReadAsync("runs/r1/chunks/0001.bin"));
        Assert.Equal(content.Length, await Store.GetSizeAsync("runs/r1/chunks/0001.bin", Ct));
    }

    [Fact]
    public async Task An_uncommitted_blob_is_invisible_and_disposing_discards_it()
    {
        await using (var writer = await Store.CreateAsync("inputs/a.csv", Ct))
        {
            await writer.Stream.WriteAsync(Encoding.UTF8.GetBytes("email\na@b.c\n"), Ct);
            await writer.Stream.FlushAsync(Ct);

            Assert.Null(await Store.GetSizeAsync("inputs/a.csv", Ct));
            Assert.Empty(await ListAsync(""));
        }

        Assert.Null(await Store.GetSizeAsync("inputs/a.csv", Ct));
        Assert.Empty(await ListAsync(""));
        await Assert.ThrowsAsync<BlobNotFoundException>(async () => await Store.OpenReadAsync("inputs/a.csv", Ct));
    }

    [Fact]
    public async Task Committing_a_key_again_replaces_the_blob_whole()
    {
        await WriteAsync("results/out.csv", Encoding.UTF8.GetBytes("a much longer first version\n"));

        await using (var writer = await Store.CreateAsync("results/out.csv", Ct))
        {
            await writer.Stream.WriteAsync(Encoding.UTF8.GetBytes("v2"), Ct);
            Assert.Equal("a much longer first version\n", Encoding.UTF8.GetString(await ReadAsync("results/out.csv")));
            await writer.CommitAsync(Ct);
        }

        Assert.Equal("v2", Encoding.UTF8.GetString(await ReadAsync("results/out.csv")));
        Assert.Equal(2, await Store.GetSizeAsync("results/out.csv", Ct));
    }

    [Fact]
    public async Task Opening_a_missing_blob_throws_blob_not_found()
    {
        var error = await Assert.ThrowsAsync<BlobNotFoundException>(async () => await Store.OpenReadAsync("no/such/blob", Ct));

        Assert.Equal("no/such/blob", error.Key);
        Assert.Null(await Store.GetSizeAsync("no/such/blob", Ct));
    }

    [Fact]
    public async Task List_returns_the_keys_with_the_prefix_in_ordinal_order()
    {
        string[] keys = ["runs/r1/b/10", "runs/r1/b/2", "runs/r1/a", "runs/r1/B", "runs/r10/x", "runs/r2/x", "other/x"];
        foreach (var key in keys)
        {
            await WriteAsync(key, [1]);
        }

        Assert.Equal(["runs/r1/B", "runs/r1/a", "runs/r1/b/10", "runs/r1/b/2"], await ListAsync("runs/r1/"));
        Assert.Equal(["runs/r1/B", "runs/r1/a", "runs/r1/b/10", "runs/r1/b/2", "runs/r10/x"], await ListAsync("runs/r1"));
        Assert.Equal(["runs/r1/b/10", "runs/r1/b/2"], await ListAsync("runs/r1/b/"));
        Assert.Equal([.. keys.Order(StringComparer.Ordinal)], await ListAsync(""));
        Assert.Empty(await ListAsync("missing/"));
    }

    [Fact]
    public async Task Delete_prefix_removes_only_the_blobs_under_it()
    {
        foreach (var key in new[] { "runs/r1/a", "runs/r1/b/c", "runs/r10/a", "runs/r2/a" })
        {
            await WriteAsync(key, [1]);
        }

        await Store.DeletePrefixAsync("runs/r1/", Ct);

        Assert.Equal(["runs/r10/a", "runs/r2/a"], await ListAsync(""));
        await Store.DeletePrefixAsync("runs/r", Ct);
        Assert.Empty(await ListAsync(""));
        await Store.DeletePrefixAsync("missing/", Ct);
    }

    [Fact]
    public async Task Delete_removes_a_blob_and_ignores_a_missing_one()
    {
        await WriteAsync("a/b", [1, 2]);

        await Store.DeleteAsync("a/b", Ct);
        await Store.DeleteAsync("a/b", Ct);
        await Store.DeleteAsync("never/was", Ct);

        Assert.Null(await Store.GetSizeAsync("a/b", Ct));
    }

    [Theory]
    [InlineData("")]
    [InlineData("../escape")]
    [InlineData("a/../../escape")]
    [InlineData("a/..")]
    [InlineData("/etc/passwd")]
    [InlineData("a\\b")]
    [InlineData("a//b")]
    [InlineData("a/./b")]
    [InlineData("a/")]
    public async Task Bad_keys_are_rejected(string key)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Store.CreateAsync(key, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Store.OpenReadAsync(key, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Store.DeleteAsync(key, Ct));
    }

    [Theory]
    [InlineData("../")]
    [InlineData("/abs/")]
    [InlineData("a\\")]
    public async Task Bad_prefixes_are_rejected(string prefix)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Store.DeletePrefixAsync(prefix, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await ListAsync(prefix));
    }

    [Fact]
    public async Task Ping_answers_true()
    {
        Assert.True(await Store.PingAsync(Ct));
    }

    [Fact]
    public async Task ListInfo_gives_each_blob_under_the_prefix_with_its_size_and_write_time_in_key_order()
    {
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        await WriteAsync("runs/b/units/x", new byte[7]);
        await WriteAsync("runs/a/results/y", new byte[3]);
        await WriteAsync("uploads/z", new byte[1]);

        var infos = new List<BlobInfo>();
        await foreach (var info in Store.ListInfoAsync("runs/", Ct))
        {
            infos.Add(info);
        }

        Assert.Equal(["runs/a/results/y", "runs/b/units/x"], infos.Select(i => i.Key));
        Assert.Equal([3L, 7L], infos.Select(i => i.Size));
        Assert.All(infos, i => Assert.InRange(i.LastWritten, before, DateTimeOffset.UtcNow.AddMinutes(1)));
    }

    [Fact]
    public async Task Deleting_stale_writes_leaves_recent_writes_and_committed_blobs_alone()
    {
        await WriteAsync("kept", [1, 2]);
        await using var writer = await Store.CreateAsync("in-progress", Ct);
        await writer.Stream.WriteAsync(new byte[10], Ct);
        await writer.Stream.FlushAsync(Ct);

        var (count, _) = await Store.DeleteStaleWritesAsync(DateTimeOffset.UtcNow.AddMinutes(-5), Ct);

        Assert.Equal(0, count);
        await writer.CommitAsync(Ct);
        Assert.Equal(10, await Store.GetSizeAsync("in-progress", Ct));
        Assert.Equal(2, await Store.GetSizeAsync("kept", Ct));
    }

    [Fact]
    public async Task A_write_abandoned_before_the_cutoff_is_deleted()
    {
        await WriteAsync("kept", [1, 2]);
        var abandoned = await Store.CreateAsync("never-committed", Ct);
        await abandoned.Stream.WriteAsync(new byte[10], Ct);
        await abandoned.Stream.FlushAsync(Ct);

        var (count, bytes) = await Store.DeleteStaleWritesAsync(DateTimeOffset.UtcNow.AddMinutes(5), Ct);

        Assert.Equal(1, count);
        Assert.Equal(10, bytes);
        Assert.Equal(2, await Store.GetSizeAsync("kept", Ct));
        Assert.Null(await Store.GetSizeAsync("never-committed", Ct));
        try
        {
            await abandoned.DisposeAsync();
        }
        catch (IOException)
        {
            // Its part is gone already; a backend may say so when the writer is discarded.
        }
    }

    protected async Task WriteAsync(string key, byte[] content)
    {
        await using var writer = await Store.CreateAsync(key, Ct);
        await writer.Stream.WriteAsync(content, Ct);
        await writer.CommitAsync(Ct);
    }

    protected async Task<byte[]> ReadAsync(string key)
    {
        await using var stream = await Store.OpenReadAsync(key, Ct);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, Ct);
        return buffer.ToArray();
    }

    protected async Task<List<string>> ListAsync(string prefix)
    {
        var keys = new List<string>();
        await foreach (var key in Store.ListAsync(prefix, Ct))
        {
            keys.Add(key);
        }

        return keys;
    }
}

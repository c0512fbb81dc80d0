using System.Text;
using Enrichflow.Core.Storage;
using Enrichflow.Storage.LocalDisk;
using Enrichflow.Storage.Tests.Compliance;

namespace Enrichflow.Storage.Tests.LocalDisk;

public sealed class LocalDiskBlobStoreTests : BlobStoreCompliance
{
    private readonly TempDirectory _directory = new();

    private string Root => Path.Combine(_directory.Path, "blobs");

    protected override ValueTask<IBlobStore> CreateStoreAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IBlobStore>(new LocalDiskBlobStore(Root));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task A_blob_is_a_file_under_the_root_named_by_its_key()
    {
        await WriteAsync("runs/r1/input.csv", Encoding.UTF8.GetBytes("x"));

        Assert.Equal("x", await File.ReadAllTextAsync(Path.Combine(Root, "runs", "r1", "input.csv"), Ct));
    }

    [Fact]
    public async Task A_writer_leaves_no_temp_file_behind()
    {
        await WriteAsync("a", [1]);
        await using (var discarded = await Store.CreateAsync("b", Ct))
        {
            await discarded.Stream.WriteAsync(new byte[100], Ct);
        }

        Assert.Equal([Path.Combine(Root, "a")], Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_write_in_progress_is_a_temp_file_beside_its_blob_that_is_never_listed_and_goes_when_stale()
    {
        await WriteAsync("runs/r1/units/a", [1]);
        await using var writing = await Store.CreateAsync("runs/r1/units/b", Ct);
        await writing.Stream.WriteAsync(new byte[100], Ct);
        await writing.Stream.FlushAsync(Ct);

        var temp = Assert.Single(Directory.EnumerateFiles(Path.Combine(Root, "runs", "r1", "units"), ".~*"));
        Assert.Equal(["runs/r1/units/a"], await Store.ListAsync("runs/", Ct).ToListAsync(Ct));
        Assert.Equal(["runs/r1/units/a"], await Store.ListInfoAsync("", Ct).Select(b => b.Key).ToListAsync(Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Store.OpenReadAsync("runs/r1/units/" + Path.GetFileName(temp), Ct));

        Assert.Equal(0, (await Store.DeleteStaleWritesAsync(DateTimeOffset.UtcNow.AddHours(-1), Ct)).Count);
        Assert.Equal((1, 100L), await Store.DeleteStaleWritesAsync(DateTimeOffset.UtcNow.AddHours(1), Ct));
        Assert.False(File.Exists(temp));
    }

    [Fact]
    public async Task A_read_stream_is_seekable()
    {
        await WriteAsync("data", Encoding.UTF8.GetBytes("0123456789"));
        await using var stream = await Store.OpenReadAsync("data", Ct);

        Assert.True(stream.CanSeek);
        stream.Seek(7, SeekOrigin.Begin);
        var buffer = new byte[3];
        await stream.ReadExactlyAsync(buffer, Ct);
        Assert.Equal("789", Encoding.UTF8.GetString(buffer));
    }

    [Fact]
    public async Task An_open_reader_keeps_the_blob_it_opened_when_the_key_is_replaced()
    {
        await WriteAsync("results/out.csv", Encoding.UTF8.GetBytes("old content"));
        await using var reader = await Store.OpenReadAsync("results/out.csv", Ct);

        await WriteAsync("results/out.csv", Encoding.UTF8.GetBytes("new"));
        await Store.DeleteAsync("results/out.csv", Ct);

        using var copy = new MemoryStream();
        await reader.CopyToAsync(copy, Ct);
        Assert.Equal("old content", Encoding.UTF8.GetString(copy.ToArray()));
    }

    [Fact]
    public async Task Keys_in_the_temp_directory_are_rejected()
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Store.CreateAsync(".tmp/x", Ct));
    }

    [Fact]
    public async Task Stale_temp_files_are_removed_when_the_store_opens()
    {
        var stale = Path.Combine(Root, ".tmp", "stale");
        var fresh = Path.Combine(Root, ".tmp", "fresh");
        await File.WriteAllTextAsync(stale, "left by a killed process", Ct);
        await File.WriteAllTextAsync(fresh, "being written right now", Ct);
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddDays(-2));

        _ = new LocalDiskBlobStore(Root);

        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(fresh));
    }

    [Fact]
    public async Task Delete_prefix_removes_the_emptied_directories()
    {
        await WriteAsync("runs/r1/chunks/0", [1]);
        await WriteAsync("runs/r2/chunks/0", [1]);

        await Store.DeletePrefixAsync("runs/r1/", Ct);

        Assert.False(Directory.Exists(Path.Combine(Root, "runs", "r1")));
        Assert.True(Directory.Exists(Path.Combine(Root, "runs", "r2")));
    }
}

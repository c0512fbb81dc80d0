using System.Text;
using Enrichflow.Core.Storage;
using Enrichflow.Storage.LocalDisk;
using Enrichflow.Storage.Tests.Compliance;

namespace Enrichflow.Storage.Tests.LocalDisk;

/// <summary>
/// The whole blob store compliance suite with <c>FlushBlobsToDisk</c> on: every commit fsyncs the file, then the
/// directory it was renamed into and the parents of directories it made (on Linux; a no-op elsewhere).
/// </summary>
public sealed class FlushingLocalDiskBlobStoreTests : BlobStoreCompliance
{
    private readonly TempDirectory _directory = new();

    private string Root => Path.Combine(_directory.Path, "blobs");

    protected override ValueTask<IBlobStore> CreateStoreAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IBlobStore>(new LocalDiskBlobStore(Root, flushToDisk: true));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task A_blob_under_directories_that_do_not_exist_yet_commits_with_flush_on()
    {
        await WriteAsync("runs/r9/chunks/deep/0001.bin", Encoding.UTF8.GetBytes("synced"));

        Assert.Equal("synced", await File.ReadAllTextAsync(Path.Combine(Root, "runs", "r9", "chunks", "deep", "0001.bin"), Ct));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(Root, ".tmp")));
    }
}

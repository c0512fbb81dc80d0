using BenchmarkDotNet.Attributes;
using Enrichflow.Storage.LocalDisk;

namespace Enrichflow.Benchmarks.HotPaths;

/// <summary>Committing one chunk-sized blob (100 KB) to the local-disk blob store.</summary>
[MemoryDiagnoser]
public class BlobStoreBenchmarks
{
    private readonly byte[] _content = new byte[100 * 1024];
    private LocalDiskBlobStore _store = null!;
    private string _root = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "ef-blob-bench-" + Guid.NewGuid().ToString("N"));
        _store = new LocalDiskBlobStore(_root);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    [Benchmark]
    public async Task Put()
    {
        await using var writer = await _store.CreateAsync($"runs/r/blocks/b/csv/{_next++ % 1000:D7}.csv", CancellationToken.None);
        await writer.Stream.WriteAsync(_content, CancellationToken.None);
        await writer.CommitAsync(CancellationToken.None);
    }
}

namespace Enrichflow.Core.Storage;

/// <summary>
/// Where row data lives: inputs, chunks and result files, addressed by '/'-separated keys.
/// Writes are atomic: a blob appears whole at <see cref="BlobWriter.CommitAsync"/> or not at all, and
/// committing the same key again replaces it whole.
/// </summary>
public interface IBlobStore
{
    /// <summary>Starts writing <paramref name="key"/>; nothing is visible until the writer is committed.</summary>
    ValueTask<BlobWriter> CreateAsync(string key, CancellationToken cancellationToken);

    /// <summary>Opens a blob for reading; seekable where the backend allows. Throws <see cref="BlobNotFoundException"/>.</summary>
    ValueTask<Stream> OpenReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>The blob's size, or null when it does not exist.</summary>
    ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken);

    ValueTask DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>Deletes every blob whose key starts with <paramref name="prefix"/>.</summary>
    ValueTask DeletePrefixAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Keys that start with <paramref name="prefix"/>, in ordinal order.</summary>
    IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>
    /// The blobs whose key starts with <paramref name="prefix"/>, in ordinal key order, with their sizes and the time
    /// each was last written (retention: docs/api.md §9.1).
    /// </summary>
    IAsyncEnumerable<BlobInfo> ListInfoAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>
    /// Discards the parts of writes that were never committed nor disposed (a killed process's) last written before
    /// <paramref name="writtenBefore"/>; returns how many were removed and their bytes. Writes still being written
    /// more recently are left alone.
    /// </summary>
    ValueTask<(int Count, long Bytes)> DeleteStaleWritesAsync(DateTimeOffset writtenBefore, CancellationToken cancellationToken);

    /// <summary>True when the store can be reached (readiness probe).</summary>
    ValueTask<bool> PingAsync(CancellationToken cancellationToken);
}

/// <summary>A stored blob: its key, size in bytes and when it was last written.</summary>
public readonly record struct BlobInfo(string Key, long Size, DateTimeOffset LastWritten);

/// <summary>An open blob being written. Disposing without <see cref="CommitAsync"/> discards it.</summary>
public abstract class BlobWriter : IAsyncDisposable
{
    public abstract Stream Stream { get; }

    public abstract ValueTask CommitAsync(CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();
}

public sealed class BlobNotFoundException(string key) : Exception($"Blob '{key}' does not exist.")
{
    public string Key { get; } = key;
}

using Enrichflow.Core.Storage;

namespace Enrichflow.Storage.LocalDisk;

/// <summary>
/// Blobs as files under a root directory, one file per key. A write goes to a temp file beside the key's file
/// (named <c>.~&lt;guid&gt;</c>, never listed), is flushed, and is renamed over the key's file on commit, so a reader
/// sees the old blob or the new one, never a part, even after the process is killed. (A rename within one directory
/// locks only that directory; renames out of one shared temp directory serialised every writer on it, a tenth of a
/// run's CPU when measured.) With <c>flushToDisk</c> each commit
/// also waits for the disk: the file is fsynced before the rename and its directory after it (on Linux; see
/// <see cref="DirectorySync"/>), which makes a committed blob survive a power loss or an OS crash too, at a large
/// cost in speed.
/// </summary>
public sealed class LocalDiskBlobStore : IBlobStore
{
    internal const int BufferSize = 64 * 1024;
    private const string TempDirectoryName = ".tmp";
    private static readonly TimeSpan StaleTempAge = TimeSpan.FromDays(1);

    private readonly string _root;
    private readonly string _tempDirectory;
    private readonly bool _flushToDisk;

    /// <param name="rootDirectory">Where the blobs live; created when absent. Temp files older than a day left
    /// there by a killed process are removed.</param>
    /// <param name="flushToDisk">Fsync each blob before it becomes visible, and its directory after (survives power loss, not only a killed process).</param>
    public LocalDiskBlobStore(string rootDirectory, bool flushToDisk = false)
    {
        _flushToDisk = flushToDisk;
        ArgumentException.ThrowIfNullOrWhiteSpace(rootDirectory);
        _root = Path.GetFullPath(rootDirectory);
        _tempDirectory = Path.Combine(_root, TempDirectoryName);
        Directory.CreateDirectory(_tempDirectory);
        RemoveStaleTempFiles();
    }

    /// <summary>The full path of the root directory.</summary>
    public string RootDirectory => _root;

    public ValueTask<BlobWriter> CreateAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        cancellationToken.ThrowIfCancellationRequested();
        var directory = Path.GetDirectoryName(path)!;
        var created = _flushToDisk ? MissingDirectories(directory) : [];
        Directory.CreateDirectory(directory);
        var tempPath = Path.Combine(directory, TempPrefix + Guid.NewGuid().ToString("N"));
        return ValueTask.FromResult<BlobWriter>(new LocalDiskBlobWriter(tempPath, path, _flushToDisk, created));
    }

    /// <summary>The name a temp file starts with; no key's segment may (see <see cref="BlobKeys"/>).</summary>
    internal const string TempPrefix = ".~";

    /// <summary><paramref name="directory"/> and its ancestors that do not exist yet, deepest first.</summary>
    private static List<string> MissingDirectories(string directory)
    {
        var missing = new List<string>();
        for (var current = directory; current is not null && !Directory.Exists(current); current = Path.GetDirectoryName(current))
        {
            missing.Add(current);
        }

        return missing;
    }

    public ValueTask<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return ValueTask.FromResult<Stream>(new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.ReadWrite | FileShare.Delete,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
                BufferSize = BufferSize,
            }));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BlobNotFoundException(key);
        }
    }

    public ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken)
    {
        var file = new FileInfo(PathOf(key));
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(file.Exists ? file.Length : (long?)null);
    }

    public ValueTask DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        cancellationToken.ThrowIfCancellationRequested();
        DeleteFile(path);
        return ValueTask.CompletedTask;
    }

    /// <remarks>Directories left empty under the prefix are removed as well, where no writer got there first.</remarks>
    public async ValueTask DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        await foreach (var key in ListAsync(prefix, cancellationToken))
        {
            DeleteFile(Path.Combine(_root, key));
        }

        var directory = DirectoryOf(prefix);
        if (prefix.EndsWith('/') && directory != _root)
        {
            RemoveEmptyDirectories(directory);
        }
    }

    /// <remarks>Keys are listed from the prefix's directory down, sorted ordinally; the temp directory is never listed.</remarks>
    public IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken cancellationToken) =>
        ListKeys(prefix, DirectoryOf(prefix), cancellationToken).ToAsyncEnumerable();

    /// <remarks>Sizes and times are the files' own (their last write time in UTC).</remarks>
    public IAsyncEnumerable<BlobInfo> ListInfoAsync(string prefix, CancellationToken cancellationToken) =>
        ListKeys(prefix, DirectoryOf(prefix), cancellationToken)
            .Select(key => new FileInfo(Path.Combine(_root, key)))
            .Where(file => file.Exists)
            .Select(file => new BlobInfo(Path.GetRelativePath(_root, file.FullName).Replace(Path.DirectorySeparatorChar, '/'), file.Length, new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero)))
            .ToAsyncEnumerable();

    /// <remarks>The temp files (beside blobs, or under <c>.tmp/</c> from before) whose last write is older; one a writer still holds open is removed too (its commit then fails), which is why the age should be generous.</remarks>
    public ValueTask<(int Count, long Bytes)> DeleteStaleWritesAsync(DateTimeOffset writtenBefore, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(RemoveTempFilesWrittenBefore(writtenBefore.UtcDateTime, cancellationToken));
    }

    public ValueTask<bool> PingAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Directory.Exists(_root));
    }

    private List<string> ListKeys(string prefix, string directory, CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        if (!Directory.Exists(directory))
        {
            return keys;
        }

        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 };
        try
        {
            foreach (var file in Directory.EnumerateFiles(directory, "*", options))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var key = Path.GetRelativePath(_root, file).Replace(Path.DirectorySeparatorChar, '/');
                if (key.StartsWith(prefix, StringComparison.Ordinal) && !key.StartsWith(TempDirectoryName + "/", StringComparison.Ordinal)
                    && !Path.GetFileName(file).StartsWith(TempPrefix, StringComparison.Ordinal))
                {
                    keys.Add(key);
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            // The prefix is being deleted while we list it.
        }

        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    private string PathOf(string key)
    {
        BlobKeys.Validate(key, nameof(key), isPrefix: false);
        return Path.Combine(_root, key);
    }

    private string DirectoryOf(string prefix)
    {
        BlobKeys.Validate(prefix, nameof(prefix), isPrefix: true);
        var slash = prefix.LastIndexOf('/');
        return slash < 0 ? _root : Path.Combine(_root, prefix[..slash]);
    }

    private static void DeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private static void RemoveEmptyDirectories(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }

        foreach (var child in Directory.EnumerateDirectories(directory))
        {
            RemoveEmptyDirectories(child);
        }

        try
        {
            Directory.Delete(directory, recursive: false);
        }
        catch (IOException)
        {
            // Not empty: a writer committed a blob here meanwhile.
        }
    }

    /// <summary>At start, the legacy temp directory only: temp files beside blobs go with the retention sweep's <see cref="DeleteStaleWritesAsync"/>, which walks the store anyway.</summary>
    private void RemoveStaleTempFiles()
    {
        var cutoff = DateTime.UtcNow - StaleTempAge;
        foreach (var file in new DirectoryInfo(_tempDirectory).EnumerateFiles().Where(f => f.LastWriteTimeUtc < cutoff))
        {
            try
            {
                file.Delete();
            }
            catch (IOException)
            {
            }
        }
    }

    private (int Count, long Bytes) RemoveTempFilesWrittenBefore(DateTime cutoff, CancellationToken cancellationToken)
    {
        var (count, bytes) = (0, 0L);
        var root = new DirectoryInfo(_root);
        if (!root.Exists)
        {
            return (count, bytes);
        }

        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 };
        var legacy = new DirectoryInfo(_tempDirectory);
        var files = root.EnumerateFiles(TempPrefix + "*", options).Concat(legacy.Exists ? legacy.EnumerateFiles() : []);
        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (file.LastWriteTimeUtc < cutoff)
            {
                try
                {
                    var length = file.Length;
                    file.Delete();
                    (count, bytes) = (count + 1, bytes + length);
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }

        return (count, bytes);
    }
}

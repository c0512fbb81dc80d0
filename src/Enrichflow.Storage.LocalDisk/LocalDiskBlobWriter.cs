using Enrichflow.Core.Storage;

namespace Enrichflow.Storage.LocalDisk;

/// <summary>Writes a temp file beside the blob's file and renames it over that file on commit.</summary>
internal sealed class LocalDiskBlobWriter : BlobWriter
{
    private readonly string _tempPath;
    private readonly string _finalPath;
    private readonly FileStream _stream;
    private bool _committed;
    private bool _disposed;

    private readonly bool _flushToDisk;
    private readonly List<string> _createdDirectories;

    /// <param name="createdDirectories">The directories made for this blob (deepest first), whose parents a flush to disk syncs.</param>
    public LocalDiskBlobWriter(string tempPath, string finalPath, bool flushToDisk, List<string> createdDirectories)
    {
        _flushToDisk = flushToDisk;
        _createdDirectories = createdDirectories;
        _tempPath = tempPath;
        _finalPath = finalPath;
        _stream = new FileStream(tempPath, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            Options = FileOptions.Asynchronous,
            BufferSize = LocalDiskBlobStore.BufferSize,
        });
    }

    public override Stream Stream => _stream;

    /// <summary>
    /// Flushes the file, then renames it over the blob's file (replacing it whole). With <c>flushToDisk</c> the file
    /// is fsynced before the rename and its directory after it (<see cref="DirectorySync"/>).
    /// </summary>
    public override async ValueTask CommitAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_committed)
        {
            throw new InvalidOperationException("The blob was committed already.");
        }

        await _stream.FlushAsync(cancellationToken);
        if (_flushToDisk)
        {
            _stream.Flush(flushToDisk: true);
        }

        await _stream.DisposeAsync();
        var directory = Path.GetDirectoryName(_finalPath)!;
        File.Move(_tempPath, _finalPath, overwrite: true);
        if (_flushToDisk)
        {
            // The rename lives in the directory's entries: sync them too, and the parent of each directory just made.
            DirectorySync.Flush(directory);
            foreach (var made in _createdDirectories)
            {
                DirectorySync.Flush(Path.GetDirectoryName(made)!);
            }
        }

        _committed = true;
    }

    public override async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stream.DisposeAsync();
        if (!_committed)
        {
            File.Delete(_tempPath);
        }
    }
}

using Enrichflow.Core.Storage;

namespace Enrichflow.Storage.LocalDisk;

/// <summary>Writes a temp file and renames it over the blob's file on commit.</summary>
internal sealed class LocalDiskBlobWriter : BlobWriter
{
    private readonly string _tempPath;
    private readonly string _finalPath;
    private readonly FileStream _stream;
    private bool _committed;
    private bool _disposed;

    private readonly bool _flushToDisk;

    public LocalDiskBlobWriter(string tempPath, string finalPath, bool flushToDisk)
    {
        _flushToDisk = flushToDisk;
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

    /// <summary>Flushes the file (to the disk itself when configured), then renames it over the blob's file (replacing it whole).</summary>
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
        Directory.CreateDirectory(Path.GetDirectoryName(_finalPath)!);
        File.Move(_tempPath, _finalPath, overwrite: true);
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

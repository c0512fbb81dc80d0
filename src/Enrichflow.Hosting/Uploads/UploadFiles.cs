using Enrichflow.Blocks.Sources;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Storage;

namespace Enrichflow.Hosting.Uploads;

/// <summary>Uploaded files (docs/api.md §4): which ones are taken, whether a stored one reads, how many rows it holds.</summary>
public static class UploadFiles
{
    private static readonly string[] Extensions = [".csv", ".json", ".jsonl", ".ndjson"];

    /// <summary>True when the file's extension is one an upload may have (.csv, .json, .jsonl, .ndjson, any case).</summary>
    public static bool IsSupported(string fileName) => Extensions.Contains(Path.GetExtension(fileName).ToLowerInvariant());

    /// <summary>
    /// Checks the start of a stored upload the way a run will read it: the format, the CSV delimiter and header, and
    /// that a first row exists, each record within <see cref="InputLimits.MaxRecordBytes"/>. Throws
    /// <see cref="SourceFormatException"/> (or a <see cref="FormatException"/>) saying why not. Whatever the failure,
    /// the blob is deleted before the exception leaves (docs/api.md §4): a refused upload leaves nothing behind.
    /// </summary>
    public static async Task InspectAsync(IBlobStore blobs, string key, string fileName, InputLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        try
        {
            await using var stream = await blobs.OpenReadAsync(key, cancellationToken);
            await UploadInspector.InspectAsync(stream, fileName, limits, cancellationToken);
        }
        catch
        {
            await blobs.DeleteAsync(key, CancellationToken.None);
            throw;
        }
    }

    /// <summary>Estimates an upload's rows from its size and the average line length of its first 64 KiB (for progress).</summary>
    public static async Task<long?> EstimateRowsAsync(IBlobStore blobs, UploadRecord upload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(upload);
        await using var stream = await blobs.OpenReadAsync(upload.BlobKey, cancellationToken);
        var buffer = new byte[64 * 1024];
        var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        var lines = buffer.AsSpan(0, read).Count((byte)'\n');
        if (lines < 2)
        {
            return null;
        }

        var estimate = upload.SizeBytes * lines / read;
        return Path.GetExtension(upload.FileName).Equals(".csv", StringComparison.OrdinalIgnoreCase) ? Math.Max(0, estimate - 1) : estimate;
    }
}

using Enrichflow.Core.Blocks;
using Enrichflow.Core.Storage;
using Enrichflow.Engine;
using Enrichflow.Hosting.Uploads;
using Microsoft.Extensions.Options;

namespace Enrichflow.Hosting.Local;

/// <summary>
/// A file on this machine taken as an upload (docs/api.md §4) for an in-process run: streamed into the blob store, its
/// start checked the way <c>POST /storage/csv/upload</c> checks it, and recorded with a handle.
/// </summary>
public static class LocalUploads
{
    /// <summary>
    /// Stores <paramref name="content"/> as <paramref name="fileName"/> for <paramref name="orgId"/>. Throws
    /// <see cref="SourceFormatException"/> (or a <see cref="FormatException"/>) when the file does not read as an
    /// upload; nothing is kept then. <paramref name="progress"/> is told the bytes copied so far.
    /// </summary>
    public static async Task<UploadRecord> AddAsync(IServiceProvider services, string orgId, Stream content, string fileName, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(content);
        if (!UploadFiles.IsSupported(fileName))
        {
            var extension = Path.GetExtension(fileName).ToLowerInvariant();
            throw new FormatException($"File '{fileName}' has type '{(extension.Length > 0 ? extension : "(none)")}'; give a .csv, .json, .jsonl or .ndjson file.");
        }

        var blobs = services.GetRequiredService<IBlobStore>();
        var handle = Guid.CreateVersion7();
        var key = BlobKeys.Upload(orgId, handle);
        long size = 0;
        await using (var writer = await blobs.CreateAsync(key, cancellationToken))
        {
            var buffer = new byte[81920];
            int read;
            while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
            {
                size += read;
                await writer.Stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                progress?.Report(size);
            }

            await writer.CommitAsync(cancellationToken);
        }

        // Deletes the blob on any failure.
        await UploadFiles.InspectAsync(blobs, key, fileName, services.GetRequiredService<IOptions<InputLimits>>().Value, cancellationToken);
        var upload = new UploadRecord(handle, orgId, fileName, key, size, services.GetRequiredService<TimeProvider>().GetUtcNow());
        try
        {
            await services.GetRequiredService<IAccountStore>().AddUploadAsync(upload, cancellationToken);
        }
        catch
        {
            await blobs.DeleteAsync(key, CancellationToken.None);
            throw;
        }

        return upload;
    }
}

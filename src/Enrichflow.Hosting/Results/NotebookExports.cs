using System.Text;
using Enrichflow.Core.Buffers;
using Enrichflow.Core.Rows;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.Results;

namespace Enrichflow.Hosting.Results;

/// <summary>
/// A notebook's rows as one downloadable file (docs/api.md §7): CSV or NDJSON, written once per notebook version under the
/// notebook's blob prefix and signed like a result file, for no run (<see cref="Guid.Empty"/>) with its blob key as
/// the file name.
/// </summary>
public static class NotebookExports
{
    /// <summary>Every blob of a notebook is under <c>notebooks/{id}/</c>.</summary>
    public const string KeyPrefix = "notebooks/";

    /// <summary>The blob of the notebook's current version in <paramref name="format"/>.</summary>
    public static string Key(NotebookRecord notebook, ResultFormat format)
    {
        ArgumentNullException.ThrowIfNull(notebook);
        return $"{KeyPrefix}{notebook.Id}/export/{notebook.UpdatedAt.UtcTicks}.{format.ToWire()}";
    }

    /// <summary>True when a signed download names a notebook export rather than a run's result file.</summary>
    public static bool IsExport(DownloadTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target.RunId == Guid.Empty && target.FileName.StartsWith(KeyPrefix, StringComparison.Ordinal);
    }

    /// <summary>The format of an export, from its blob key.</summary>
    public static ResultFormat FormatOf(string key) =>
        key.EndsWith(".csv", StringComparison.Ordinal) ? ResultFormat.Csv : ResultFormat.Ndjson;

    /// <summary>Writes the export of the notebook's current version unless it exists; returns the rows it holds.</summary>
    public static async Task<long> EnsureAsync(INotebookStore notebooks, IBlobStore blobs, NotebookRecord notebook, ResultFormat format, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(notebook);
        var key = Key(notebook, format);
        return await blobs.GetSizeAsync(key, cancellationToken) is null
            ? await WriteAsync(notebooks, blobs, notebook.Id, key, format, cancellationToken)
            : notebook.RowCount;
    }

    /// <summary>Deletes what a deleted notebook kept beside its record: its key index and its blobs (segments, exports).</summary>
    public static async Task DeleteFilesAsync(IKeyIndexStore keys, IBlobStore blobs, string notebookId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(blobs);
        await keys.DeleteScopesAsync(KeyScopes.Notebook(notebookId), cancellationToken);
        await blobs.DeletePrefixAsync($"{KeyPrefix}{notebookId}/", cancellationToken);
    }

    private static async Task<long> WriteAsync(INotebookStore notebooks, IBlobStore blobs, string notebookId, string key, ResultFormat format, CancellationToken cancellationToken)
    {
        // One segment at a time: the union of columns first (a cheap pass), then the rows.
        var segments = await notebooks.ListSegmentsAsync(notebookId, cancellationToken);
        var columns = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var segment in segments)
        {
            foreach (var column in (await ReadSegmentAsync(blobs, segment, cancellationToken)).Columns().Where(seen.Add))
            {
                columns.Add(column);
            }
        }

        long rows = 0;
        await using var writer = await blobs.CreateAsync(key, cancellationToken);
        var first = true;
        foreach (var segment in segments)
        {
            var chunk = await ReadSegmentAsync(blobs, segment, cancellationToken);
            using var buffer = new PooledBuffer(chunk.Count * 200);
            if (format == ResultFormat.Csv)
            {
                CsvFragments.Render(buffer, columns, chunk.Rows, formulaGuard: true);
                CsvFragments.TryHeaderLength(buffer.WrittenSpan, out var header);
                await writer.Stream.WriteAsync(first ? buffer.WrittenMemory : buffer.WrittenMemory[header..], cancellationToken);
            }
            else
            {
                ChunkFormat.WriteNdjson(buffer, chunk.Rows);
                await writer.Stream.WriteAsync(buffer.WrittenMemory, cancellationToken);
            }

            first = false;
            rows += chunk.Count;
        }

        if (first && format == ResultFormat.Csv)
        {
            await writer.Stream.WriteAsync(Encoding.UTF8.GetBytes(string.Join(',', columns) + "\n"), cancellationToken);
        }

        await writer.CommitAsync(cancellationToken);
        return rows;
    }

    private static async Task<RowChunk> ReadSegmentAsync(IBlobStore blobs, NotebookSegment segment, CancellationToken cancellationToken)
    {
        await using var stream = await blobs.OpenReadAsync(segment.BlobKey, cancellationToken);
        return await ChunkFormat.ReadAsync(stream, cancellationToken);
    }
}

using Enrichflow.Hosting;
using Enrichflow.Hosting.Results;
using Enrichflow.Core.Buffers;
using Enrichflow.Core.Rows;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.Results;
using Enrichflow.Server.Auth;
using Enrichflow.Server.Hosting;
using Enrichflow.Server.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Enrichflow.Server.Apis;

public sealed record NotebookResponse(string Id, string Name, long RowCount, IReadOnlyList<string>? KeyFields, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static NotebookResponse From(NotebookRecord n) => new(n.Id, n.Name, n.RowCount, n.KeyFields, n.CreatedAt, n.UpdatedAt);
}

/// <summary>Notebooks (API.md §7): list, get, download links, delete.</summary>
public static class NotebooksApi
{
    /// <summary>Signed notebook downloads carry this run id (none) and the export's blob key as the file name.</summary>
    internal const string KeyPrefix = "notebooks/";

    public static RouteGroupBuilder MapNotebooksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/notebooks").RequireApiKey().WithTags("Notebooks");
        group.MapGet("", List);
        group.MapGet("/{notebookId}", Get);
        group.MapGet("/{notebookId}/download-links", DownloadLinks);
        group.MapDelete("/{notebookId}", Delete);
        return group;
    }

    public static async Task<IResult> List(HttpContext http, INotebookStore notebooks, CancellationToken cancellationToken) =>
        TypedResults.Ok((await notebooks.ListNotebooksAsync(http.Caller().OrgId, cancellationToken)).Select(NotebookResponse.From).ToList());

    public static async Task<IResult> Get(string notebookId, HttpContext http, INotebookStore notebooks, CancellationToken cancellationToken) =>
        await notebooks.GetNotebookAsync(http.Caller().OrgId, notebookId, cancellationToken) is { } notebook
            ? TypedResults.Ok(NotebookResponse.From(notebook))
            : ApiErrors.NotFound("Notebook not found");

    public static async Task<IResult> Delete(string notebookId, HttpContext http, INotebookStore notebooks, IKeyIndexStore keys, IBlobStore blobs, CancellationToken cancellationToken)
    {
        if (!await notebooks.DeleteNotebookAsync(http.Caller().OrgId, notebookId, cancellationToken))
        {
            return ApiErrors.NotFound("Notebook not found");
        }

        await keys.DeleteScopesAsync(KeyScopes.Notebook(notebookId), cancellationToken);
        await blobs.DeletePrefixAsync($"{KeyPrefix}{notebookId}/", cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>Writes the notebook's current rows as a CSV (or NDJSON) file and returns a signed link to it, in the <c>ResultFile</c> shape.</summary>
    public static async Task<IResult> DownloadLinks(
        string notebookId,
        [FromQuery(Name = "format")] string? format,
        HttpContext http,
        INotebookStore notebooks,
        IBlobStore blobs,
        DownloadSigner signer,
        IOptions<EnrichflowOptions> options,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        format = string.IsNullOrEmpty(format) ? "csv" : format.ToLowerInvariant();
        if (format is not ("csv" or "ndjson"))
        {
            return ApiErrors.BadRequest($"Query parameter 'format' must be csv or ndjson for a notebook (got '{format}').");
        }

        var caller = http.Caller();
        if (await notebooks.GetNotebookAsync(caller.OrgId, notebookId, cancellationToken) is not { } notebook)
        {
            return ApiErrors.NotFound("Notebook not found");
        }

        var key = $"{KeyPrefix}{notebook.Id}/export/{notebook.UpdatedAt.UtcTicks}.{format}";
        long rows = 0;
        if (await blobs.GetSizeAsync(key, cancellationToken) is null)
        {
            rows = await WriteExportAsync(notebooks, blobs, notebook.Id, key, format, cancellationToken);
        }
        else
        {
            rows = notebook.RowCount;
        }

        var expirySeconds = options.Value.Downloads.ExpirySeconds;
        var token = signer.Sign(caller.OrgId, Guid.Empty, key, time.GetUtcNow().AddSeconds(expirySeconds));
        var file = new ResultFileResponse($"notebook_{notebook.Id}.{format}", options.Value.StorageBucket, rows, 0, notebook.Id, notebook.UpdatedAt, null,
            ResultFormats.ContentType(format), await blobs.GetSizeAsync(key, cancellationToken) ?? 0,
            $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}/downloads/{token}", expirySeconds, null);
        return TypedResults.Ok(new[] { file });
    }

    private static async Task<long> WriteExportAsync(INotebookStore notebooks, IBlobStore blobs, string notebookId, string key, string format, CancellationToken cancellationToken)
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
            if (format == "csv")
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

        if (first && format == "csv")
        {
            await writer.Stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(string.Join(',', columns) + "\n"), cancellationToken);
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

using System.Net.Http.Headers;
using Enrichflow.Client.Models;

namespace Enrichflow.Client;

/// <summary>Uploads (docs/api.md §4) and notebooks (§7).</summary>
public sealed partial class EnrichflowClient
{
    /// <summary>
    /// <c>POST /storage/csv/upload</c>: streams <paramref name="content"/> as the multipart <c>file</c> part named
    /// <paramref name="fileName"/> (<c>.csv</c>, <c>.json</c>, <c>.jsonl</c>, <c>.ndjson</c>); the handle names it in a run.
    /// </summary>
    public Task<Upload> UploadAsync(Stream content, string fileName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var form = new MultipartFormDataContent();
        var part = new StreamContent(content);
        part.Headers.ContentType = new MediaTypeHeaderValue(Path.GetExtension(fileName).ToLowerInvariant() switch
        {
            ".csv" => "text/csv",
            ".json" => "application/json",
            ".jsonl" or ".ndjson" => "application/x-ndjson",
            _ => "application/octet-stream",
        });
        form.Add(part, "file", fileName);
        return SendAsync(Request(HttpMethod.Post, "storage/csv/upload", form), EnrichflowJsonContext.Default.Upload, cancellationToken);
    }

    /// <summary>Uploads a local file, streamed.</summary>
    public async Task<Upload> UploadFileAsync(string path, CancellationToken cancellationToken = default)
    {
        var file = File.OpenRead(path);
        await using (file.ConfigureAwait(false))
        {
            return await UploadAsync(file, Path.GetFileName(path), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary><c>GET /notebooks</c>.</summary>
    public Task<List<Notebook>> ListNotebooksAsync(CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Get, "notebooks"), EnrichflowJsonContext.Default.ListNotebook, cancellationToken);

    /// <summary><c>GET /notebooks/{id}</c>.</summary>
    public Task<Notebook> GetNotebookAsync(string notebookId, CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Get, $"notebooks/{Escape(notebookId)}"), EnrichflowJsonContext.Default.Notebook, cancellationToken);

    /// <summary><c>GET /notebooks/{id}/download-links?format=</c>: one file, <c>csv</c> or <c>ndjson</c>.</summary>
    public Task<List<ResultFile>> GetNotebookDownloadLinksAsync(string notebookId, string format = ResultFormats.Csv, CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Get, $"notebooks/{Escape(notebookId)}/download-links?format={Escape(format)}"), EnrichflowJsonContext.Default.ListResultFile, cancellationToken);

    /// <summary><c>DELETE /notebooks/{id}</c>: its rows and keys go.</summary>
    public Task DeleteNotebookAsync(string notebookId, CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Delete, $"notebooks/{Escape(notebookId)}"), cancellationToken);
}

using Enrichflow.Core.Storage;
using Enrichflow.Hosting;
using Enrichflow.Hosting.Results;
using Enrichflow.Server.Auth;
using Enrichflow.Server.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Enrichflow.Server.Apis;

public sealed record NotebookResponse(string Id, string Name, long RowCount, IReadOnlyList<string>? KeyFields, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static NotebookResponse From(NotebookRecord n) => new(n.Id, n.Name, n.RowCount, n.KeyFields, n.CreatedAt, n.UpdatedAt);
}

/// <summary>Notebooks (docs/api.md §7): list, get, download links, delete.</summary>
public static class NotebooksApi
{
    public static RouteGroupBuilder MapNotebooksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/notebooks").RequireApiKey().WithTags("Notebooks");
        group.MapGet("", List).WithSummary("List notebooks");
        group.MapGet("/{notebookId}", Get).WithSummary("Get a notebook");
        group.MapGet("/{notebookId}/download-links", DownloadLinks).WithSummary("A notebook's download link").WithDescription("format csv (default) or ndjson.");
        group.MapDelete("/{notebookId}", Delete).WithSummary("Delete a notebook").WithDescription("Its rows and keys are deleted.");
        return group;
    }

    public static async Task<Ok<List<NotebookResponse>>> List(HttpContext http, INotebookStore notebooks, CancellationToken cancellationToken) =>
        TypedResults.Ok((await notebooks.ListNotebooksAsync(http.Caller().OrgId, cancellationToken)).Select(NotebookResponse.From).ToList());

    public static async Task<Results<Ok<NotebookResponse>, NotFound<ErrorBody>>> Get(string notebookId, HttpContext http, INotebookStore notebooks, CancellationToken cancellationToken) =>
        await notebooks.GetNotebookAsync(http.Caller().OrgId, notebookId, cancellationToken) is { } notebook
            ? TypedResults.Ok(NotebookResponse.From(notebook))
            : ApiErrors.NotFound("Notebook not found");

    public static async Task<Results<NoContent, NotFound<ErrorBody>>> Delete(string notebookId, HttpContext http, INotebookStore notebooks, IKeyIndexStore keys, IBlobStore blobs, CancellationToken cancellationToken)
    {
        if (!await notebooks.DeleteNotebookAsync(http.Caller().OrgId, notebookId, cancellationToken))
        {
            return ApiErrors.NotFound("Notebook not found");
        }

        await NotebookExports.DeleteFilesAsync(keys, blobs, notebookId, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>Writes the notebook's current rows as a CSV (or NDJSON) file and returns a signed link to it, in the <c>ResultFile</c> shape.</summary>
    public static async Task<Results<Ok<ResultFileResponse[]>, BadRequest<ErrorBody>, NotFound<ErrorBody>>> DownloadLinks(
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
        var name = string.IsNullOrEmpty(format) ? "csv" : format.ToLowerInvariant();
        if (ResultFormats.Parse(name) is not { } parsed || parsed == ResultFormat.Json)
        {
            return ApiErrors.BadRequest($"Query parameter 'format' must be csv or ndjson for a notebook (got '{name}').");
        }

        var caller = http.Caller();
        if (await notebooks.GetNotebookAsync(caller.OrgId, notebookId, cancellationToken) is not { } notebook)
        {
            return ApiErrors.NotFound("Notebook not found");
        }

        var rows = await NotebookExports.EnsureAsync(notebooks, blobs, notebook, parsed, cancellationToken);
        var key = NotebookExports.Key(notebook, parsed);
        var expirySeconds = options.Value.Downloads.ExpirySeconds;
        var token = signer.Sign(caller.OrgId, Guid.Empty, key, time.GetUtcNow().AddSeconds(expirySeconds));
        var file = new ResultFileResponse($"notebook_{notebook.Id}.{parsed.ToWire()}", options.Value.StorageBucket, rows, 0, notebook.Id, notebook.UpdatedAt, null,
            parsed.ContentType(), await blobs.GetSizeAsync(key, cancellationToken) ?? 0,
            $"{PublicUrls.BaseOf(http.Request, options.Value)}/downloads/{token}", expirySeconds, null);
        return TypedResults.Ok(new[] { file });
    }
}

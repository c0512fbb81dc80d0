using Enrichflow.Core.Storage;
using Enrichflow.Engine.Execution;
using Enrichflow.Engine.Results;
using Enrichflow.Hosting;
using Enrichflow.Hosting.Results;
using Enrichflow.Server.Auth;
using Enrichflow.Server.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Enrichflow.Server.Apis;

/// <summary>Result files and their signed downloads (docs/api.md §3.1).</summary>
public static class ResultsApi
{
    private const int InlineRowLimit = 100;

    /// <summary>The <c>format</c> that lists only <c>rejects.ndjson</c>.</summary>
    private const string RejectsFormat = "rejects";

    /// <summary>Signed downloads need no key: the token is the permission. Download links are under <see cref="RunsApi"/>.</summary>
    public static RouteGroupBuilder MapDownloads(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/downloads").WithTags("Results");
        group.MapGet("/{token}", Download).Produces(StatusCodes.Status200OK, contentType: "application/octet-stream").WithSummary("Download a result file").WithDescription("A signed link from download-links; no key needed. 403 when the link is invalid, altered or expired.");
        return group;
    }

    public static async Task<Results<Ok<List<ResultFileResponse>>, BadRequest<ErrorBody>, NotFound<ErrorBody>>> GetDownloadLinks(
        string runId,
        [FromQuery(Name = "format")] string? format,
        [FromQuery(Name = "include_rejects")] string? includeRejects,
        HttpContext http,
        IRunStore runs,
        IBlobStore blobs,
        RunPlans plans,
        ResultRenderer renderer,
        DownloadSigner signer,
        IOptions<EnrichflowOptions> options,
        IOptions<Hosting.ServerOptions> server,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var name = string.IsNullOrEmpty(format) ? "csv" : format.ToLowerInvariant();
        var rejectsOnly = name == RejectsFormat;
        var parsed = ResultFormats.Parse(name);
        if (parsed is null && !rejectsOnly)
        {
            return ApiErrors.BadRequest($"Query parameter 'format' must be csv, json, ndjson or rejects (got '{name}').");
        }

        var run = await RunsApi.FindRunAsync(runs, http.Caller(), runId, cancellationToken);
        if (run is null)
        {
            return ApiErrors.RunNotFound();
        }

        var (plan, runOptions) = plans.Get(run);
        if (parsed is { } asked && !runOptions.Formats.Contains(asked))
        {
            return ApiErrors.BadRequest($"Run {run.Id} was not asked for {name} results; start a run with result_formats={name} (csv is always written).");
        }

        var positions = plan.Blocks.ToDictionary(b => b.Id, b => b.Position, StringComparer.Ordinal);
        // A format's list holds only that format's files, so its last entry is the final block's output; the rejects
        // file comes with format=rejects, or first with include_rejects=true (docs/api.md §3.1).
        var withRejects = rejectsOnly || QueryFlags.IsTrue(includeRejects);
        var files = (await runs.ListResultFilesAsync(run.Id, cancellationToken))
            .Where(f => f.FileName == ResultAssembler.RejectsFileName ? withRejects : !rejectsOnly && f.Format == parsed)
            .OrderBy(f => f.FileName == ResultAssembler.RejectsFileName ? -1 : positions.GetValueOrDefault(f.BlockId, int.MaxValue))
            .ToList();

        var expirySeconds = options.Value.Downloads.ExpirySeconds;
        var expires = time.GetUtcNow().AddSeconds(expirySeconds);
        var baseUrl = PublicUrls.BaseOf(http.Request, options.Value);
        var runMessage = run.Status switch
        {
            RunStatus.Cancelled => "Partial results: the run was cancelled; files hold the work finished before that.",
            RunStatus.Failed => "Partial results: the run failed; files hold the work finished before that.",
            RunStatus.Queued or RunStatus.Running or RunStatus.Paused => "The run has not finished; only blocks that have finished have files.",
            _ => null,
        };

        var response = new List<ResultFileResponse>(files.Count);
        foreach (var listed in files)
        {
            // A deferred file is rendered on its first download; a small one now, so its rows can be inline.
            var file = listed.Pending && listed.RowCount <= InlineRowLimit ? await renderer.EnsureRenderedAsync(run, listed, cancellationToken) : listed;
            var token = signer.Sign(run.OrgId, run.Id, file.FileName, expires);
            var inline = file.RowCount <= InlineRowLimit ? await ResultFileRows.ReadAsync(blobs, file, InlineRowLimit, cancellationToken) : null;
            if (inline is not null && ResultFileRows.JsonBytes(inline) > server.Value.Limits.MaxInlineResultBytes)
            {
                inline = null;
            }

            response.Add(new ResultFileResponse(file.FileName, options.Value.StorageBucket,
                file.RowCount, file.BlockNumber, file.BlockId, file.CreatedAt, file.Message ?? runMessage, file.Format.ContentType(), file.Pending ? null : file.FileSize,
                $"{baseUrl}/downloads/{token}", expirySeconds, inline));
        }

        return TypedResults.Ok(response);
    }

    public static async Task<Results<FileStreamHttpResult, Forbidden<ErrorBody>, NotFound<ErrorBody>>> Download(
        string token, DownloadSigner signer, IRunStore runs, IBlobStore blobs, ResultRenderer renderer, CancellationToken cancellationToken)
    {
        var target = signer.Verify(token);
        if (target is null)
        {
            return ApiErrors.Forbidden("This download link is invalid or has expired; ask for new links at /workflows/runs/{run_id}/results/download-links.");
        }

        if (NotebookExports.IsExport(target))
        {
            // A notebook export: the link was signed for this org and this blob.
            var size = await blobs.GetSizeAsync(target.FileName, cancellationToken);
            return size is null
                ? ApiErrors.NotFound("This notebook export no longer exists; ask for new links.")
                : TypedResults.Stream(await blobs.OpenReadAsync(target.FileName, cancellationToken),
                    NotebookExports.FormatOf(target.FileName).ContentType(), Path.GetFileName(target.FileName), enableRangeProcessing: true);
        }

        var run = await runs.GetRunAsync(target.RunId, cancellationToken);
        var file = run is null || run.OrgId != target.OrgId ? null
            : (await runs.ListResultFilesAsync(run.Id, cancellationToken)).FirstOrDefault(f => f.FileName == target.FileName);
        if (file is null)
        {
            return ApiErrors.NotFound($"Result file '{target.FileName}' no longer exists.");
        }

        // A deferred file is rendered from the run's stored chunks on its first download, then kept (docs/api.md §3.1).
        file = await renderer.EnsureRenderedAsync(run!, file, cancellationToken);
        var stream = await blobs.OpenReadAsync(file.BlobKey, cancellationToken);
        return TypedResults.Stream(stream, file.Format.ContentType(), file.FileName, enableRangeProcessing: true);
    }
}

using System.Text.Json;
using Enrichflow.Hosting;
using Enrichflow.Hosting.Results;
using Enrichflow.Core.Storage;
using Enrichflow.Engine;
using Enrichflow.Engine.Execution;
using Enrichflow.Engine.Results;
using Enrichflow.Server.Auth;
using Enrichflow.Server.Hosting;
using Enrichflow.Server.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using nietras.SeparatedValues;

namespace Enrichflow.Server.Apis;

/// <summary>Result files and their signed downloads (API.md §3.1).</summary>
public static class ResultsApi
{
    private const int InlineRowLimit = 100;
    private static readonly string[] Formats = ["csv", "json", "ndjson"];

    public static IEndpointRouteBuilder MapDownloads(this IEndpointRouteBuilder app)
    {
        app.MapGet("/downloads/{token}", Download).WithTags("Results");
        return app;
    }

    public static async Task<IResult> GetDownloadLinks(
        string runId,
        [FromQuery(Name = "format")] string? format,
        HttpContext http,
        IRunStore runs,
        IBlobStore blobs,
        RunPlans plans,
        DownloadSigner signer,
        IOptions<EnrichflowOptions> options,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        format = string.IsNullOrEmpty(format) ? "csv" : format.ToLowerInvariant();
        if (!Formats.Contains(format))
        {
            return ApiErrors.BadRequest($"Query parameter 'format' must be csv, json or ndjson (got '{format}').");
        }

        var run = await RunsApi.FindRunAsync(runs, http.Caller(), runId, cancellationToken);
        if (run is null)
        {
            return ApiErrors.RunNotFound();
        }

        var (plan, runOptions) = plans.Get(run);
        if (!runOptions.Formats.Contains(format))
        {
            return ApiErrors.BadRequest($"Run {run.Id} was not asked for {format} results; start a run with result_formats={format} (csv is always written).");
        }

        var positions = plan.Blocks.ToDictionary(b => b.Id, b => b.Position, StringComparer.Ordinal);
        var files = (await runs.ListResultFilesAsync(run.Id, cancellationToken))
            .Where(f => f.FileName == ResultAssembler.RejectsFileName || f.Format == format)
            .OrderBy(f => f.FileName == ResultAssembler.RejectsFileName ? -1 : positions.GetValueOrDefault(f.BlockId, int.MaxValue))
            .ToList();

        var expirySeconds = options.Value.Downloads.ExpirySeconds;
        var expires = time.GetUtcNow().AddSeconds(expirySeconds);
        var baseUrl = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";
        var runMessage = run.Status switch
        {
            RunStatus.Cancelled => "Partial results: the run was cancelled; files hold the work finished before that.",
            RunStatus.Failed => "Partial results: the run failed; files hold the work finished before that.",
            RunStatus.Queued or RunStatus.Running or RunStatus.Paused => "The run has not finished; only blocks that have finished have files.",
            _ => null,
        };

        var response = new List<ResultFileResponse>(files.Count);
        foreach (var file in files)
        {
            var token = signer.Sign(run.OrgId, run.Id, file.FileName, expires);
            var inline = file.RowCount <= InlineRowLimit ? await ReadInlineAsync(blobs, file, cancellationToken) : null;
            response.Add(new ResultFileResponse(file.FileName, options.Value.StorageBucket,
                file.RowCount, file.BlockNumber, file.BlockId, file.CreatedAt, file.Message ?? runMessage, ResultFormats.ContentType(file.Format), file.FileSize,
                $"{baseUrl}/downloads/{token}", expirySeconds, inline));
        }

        return TypedResults.Ok(response);
    }

    public static async Task<IResult> Download(string token, DownloadSigner signer, IRunStore runs, IBlobStore blobs, CancellationToken cancellationToken)
    {
        var target = signer.Verify(token);
        if (target is null)
        {
            return ApiErrors.Detail(StatusCodes.Status403Forbidden, "This download link is invalid or has expired; ask for new links at /workflows/runs/{run_id}/results/download-links.");
        }

        if (target.RunId == Guid.Empty && target.FileName.StartsWith(NotebooksApi.KeyPrefix, StringComparison.Ordinal))
        {
            // A notebook export: the link was signed for this org and this blob.
            var size = await blobs.GetSizeAsync(target.FileName, cancellationToken);
            return size is null
                ? ApiErrors.NotFound("This notebook export no longer exists; ask for new links.")
                : TypedResults.Stream(await blobs.OpenReadAsync(target.FileName, cancellationToken),
                    ResultFormats.ContentType(target.FileName.EndsWith(".csv", StringComparison.Ordinal) ? "csv" : "ndjson"), Path.GetFileName(target.FileName), enableRangeProcessing: true);
        }

        var run = await runs.GetRunAsync(target.RunId, cancellationToken);
        var file = run is null || run.OrgId != target.OrgId ? null
            : (await runs.ListResultFilesAsync(run.Id, cancellationToken)).FirstOrDefault(f => f.FileName == target.FileName);
        if (file is null)
        {
            return ApiErrors.NotFound($"Result file '{target.FileName}' no longer exists.");
        }

        var stream = await blobs.OpenReadAsync(file.BlobKey, cancellationToken);
        return TypedResults.Stream(stream, ResultFormats.ContentType(file.Format), file.FileName, enableRangeProcessing: true);
    }

    private static async Task<IReadOnlyList<object>?> ReadInlineAsync(IBlobStore blobs, ResultFileRecord file, CancellationToken cancellationToken)
    {
        await using var stream = await blobs.OpenReadAsync(file.BlobKey, cancellationToken);
        var rows = new List<object>();
        switch (file.Format)
        {
            case "csv":
                using (var reader = Sep.Reader(o => o with { Unescape = true, DisableColCountCheck = true }).From(stream))
                {
                    var names = reader.Header.ColNames;
                    foreach (var row in reader)
                    {
                        var item = new Dictionary<string, string>(names.Count, StringComparer.Ordinal);
                        for (var i = 0; i < names.Count && i < row.ColCount; i++)
                        {
                            item[names[i]] = row[i].ToString();
                        }

                        rows.Add(item);
                    }
                }

                break;
            case "json":
                using (var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken))
                {
                    rows.AddRange(document.RootElement.EnumerateArray().Select(e => (object)e.Clone()));
                }

                break;
            default:
                using (var reader = new StreamReader(stream))
                {
                    while (await reader.ReadLineAsync(cancellationToken) is { } line)
                    {
                        if (line.Length > 0)
                        {
                            using var document = JsonDocument.Parse(line);
                            rows.Add(document.RootElement.Clone());
                        }
                    }
                }

                break;
        }

        return rows;
    }
}

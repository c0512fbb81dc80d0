using System.Text.Json;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.Execution;
using Enrichflow.Engine.States;
using Enrichflow.Engine.Status;
using Enrichflow.Server.Auth;
using Enrichflow.Server.Hosting;
using Enrichflow.Server.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

using Enrichflow.Server.OpenApi;

namespace Enrichflow.Server.Apis;

/// <summary>Runs: list, live status, cancel, resume (docs/api.md §3). Starting a run is in <see cref="RunStartApi"/>, estimating one in <see cref="RunEstimateApi"/>.</summary>
public static class RunsApi
{
    public const int MaxLimit = 500;

    public static RouteGroupBuilder MapRunsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/workflows").RequireApiKey().WithTags("Runs");
        group.MapPost("/run", RunStartApi.StartRun).DocumentsBody<RunOptionsBody>("application/json", optional: true).WithSummary("Start a run").WithDescription("Queues a run of the workflow; an Idempotency-Key header makes a repeated start return the first run.");
        group.MapPost("/estimate", RunEstimateApi.EstimateRun).DocumentsBody<RunOptionsBody>("application/json", optional: true).WithSummary("Estimate a run").WithDescription("Rows and credits per block for the body of a run; nothing is queued and no paid call is made.");
        group.MapGet("/runs", ListRuns).WithSummary("List runs").WithDescription("Newest first; status one of queued, running, paused, completed, failed, cancelled or active; limit 1–500 (100).");
        group.MapGet("/runs/{runId}", GetRun).WithSummary("Get a run");
        group.MapGet("/runs/{runId}/live_status", GetLiveStatus).WithSummary("A run's live status").WithDescription("Overall and per-block progress, counts, credits and provider steps.");
        group.MapPost("/cancel", CancelRun).WithSummary("Cancel a run").WithDescription("A run that has already ended keeps its status and returns it.");
        group.MapPost("/resume", ResumeRun).DocumentsBody<ResumeBody>("application/json", optional: true).WithSummary("Resume a run").WithDescription("A paused or failed run continues from its committed work; 409 for any other status.");
        group.MapGet("/runs/{runId}/results/download-links", ResultsApi.GetDownloadLinks).WithSummary("Result file links").WithDescription("Signed links (no key needed, valid 15 minutes) to each block's file; format csv, json, ndjson or rejects.");
        return group;
    }

    public static async Task<Results<Ok<List<RunResponse>>, BadRequest<ErrorBody>>> ListRuns(
        [FromQuery(Name = "status")] string? status,
        [FromQuery(Name = "workflow_id")] string? workflowId,
        [FromQuery(Name = "limit")] string? limit,
        HttpContext http,
        IRunStore runs,
        IUsageStore usage,
        CancellationToken cancellationToken)
    {
        var count = 100;
        if (limit is not null && (!int.TryParse(limit, out count) || count is < 1 or > MaxLimit))
        {
            return ApiErrors.BadRequest($"Query parameter 'limit' must be an integer from 1 to {MaxLimit} (got '{limit}').");
        }

        IReadOnlyList<RunStatus>? statuses = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (status.Equals("active", StringComparison.OrdinalIgnoreCase))
            {
                statuses = [RunStatus.Queued, RunStatus.Running, RunStatus.Paused];
            }
            else if (RunStatuses.ParseRequestedRunStatus(status) is { } parsed)
            {
                statuses = [parsed];
            }
            else
            {
                return ApiErrors.BadRequest($"Query parameter 'status' must be one of queued, running, paused, completed, failed, cancelled, active (got '{status}').");
            }
        }

        var list = await runs.ListRunsAsync(new RunQuery(http.Caller().OrgId, statuses, workflowId, count), cancellationToken);
        var result = new List<RunResponse>(list.Count);
        foreach (var run in list)
        {
            result.Add(RunResponse.From(run, await runs.GetRunBlocksAsync(run.Id, cancellationToken), await usage.GetRunUsageAsync(run.Id, cancellationToken)));
        }

        return TypedResults.Ok(result);
    }

    public static async Task<Results<Ok<RunResponse>, NotFound<ErrorBody>>> GetRun(string runId, HttpContext http, IRunStore runs, IUsageStore usage, CancellationToken cancellationToken)
    {
        var run = await FindRunAsync(runs, http.Caller(), runId, cancellationToken);
        return run is null ? ApiErrors.RunNotFound() : TypedResults.Ok(RunResponse.From(run, await runs.GetRunBlocksAsync(run.Id, cancellationToken), await usage.GetRunUsageAsync(run.Id, cancellationToken)));
    }

    public static async Task<Results<Ok<RunLiveStatus>, NotFound<ErrorBody>>> GetLiveStatus(string runId, HttpContext http, IRunStore runs, LiveStatusReader reader, CancellationToken cancellationToken)
    {
        var run = await FindRunAsync(runs, http.Caller(), runId, cancellationToken);
        return run is null ? ApiErrors.RunNotFound() : TypedResults.Ok(await reader.ReadAsync(run, cancellationToken));
    }

    public static async Task<Results<Ok<JobStatus>, NotFound<ErrorBody>, UnprocessableEntity<ValidationBody>>> CancelRun(
        [FromQuery(Name = "job_id")] string? jobId, HttpContext http, IRunStore runs, RunCoordinator coordinator, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(jobId))
        {
            return MissingJobId();
        }

        if (await FindRunAsync(runs, http.Caller(), jobId, cancellationToken) is not { } run)
        {
            return ApiErrors.RunNotFound();
        }

        var status = await coordinator.CancelAsync(run.Id, cancellationToken) ?? run.Status;
        return TypedResults.Ok(new JobStatus(run.Id, status.ToWire()));
    }

    public static async Task<Results<Ok<JobStatus>, NotFound<ErrorBody>, Conflict<ErrorBody>, UnprocessableEntity<ValidationBody>, JsonBodyError>> ResumeRun(
        [FromQuery(Name = "job_id")] string? jobId,
        HttpContext http,
        IRunStore runs,
        RunCoordinator coordinator,
        IOptions<ServerOptions> options,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(jobId))
        {
            return MissingJobId();
        }

        if (await FindRunAsync(runs, http.Caller(), jobId, cancellationToken) is not { } run)
        {
            return ApiErrors.RunNotFound();
        }

        if (!RunStates.Allows(run.Status, RunEvent.Resume))
        {
            return ApiErrors.Conflict($"Run {run.Id} is {run.Status.ToWire()}; only a paused or failed run can be resumed.");
        }

        // An optional body {"max_credits": N} gives a run paused by its budget a new one.
        var (document, bodyError) = await JsonBody.ReadAsync(http.Request, options.Value.Limits.MaxRequestBytes, allowEmpty: true, cancellationToken);
        if (bodyError is not null)
        {
            return bodyError;
        }

        double? maxCredits = null;
        using (document)
        {
            if (document?.RootElement is { ValueKind: JsonValueKind.Object } body && body.TryGetProperty("max_credits", out var max))
            {
                maxCredits = RunRequestBody.MaxCredits(max, out var maxError);
                if (maxError is not null)
                {
                    return maxError;
                }
            }
        }

        var status = await coordinator.ResumeAsync(run.Id, cancellationToken, maxCredits) ?? run.Status;
        return TypedResults.Ok(new JobStatus(run.Id, status.ToWire()));
    }

    /// <summary>The answer to a cancel or resume without its <c>job_id</c>.</summary>
    private static UnprocessableEntity<ValidationBody> MissingJobId() => ApiErrors.Unprocessable(["query", "job_id"], "Field required", "missing");

    /// <summary>The run when it exists and belongs to the caller's organization (a foreign run is "not found").</summary>
    public static async Task<RunRecord?> FindRunAsync(IRunStore runs, Caller caller, string runId, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(runId, out var id))
        {
            return null;
        }

        var run = await runs.GetRunAsync(id, cancellationToken);
        return run is not null && run.OrgId == caller.OrgId ? run : null;
    }
}

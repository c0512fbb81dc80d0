using Enrichflow.Client.Models;

namespace Enrichflow.Client;

/// <summary>Running (docs/api.md §3).</summary>
public sealed partial class EnrichflowClient
{
    /// <summary><c>POST /workflows/run?workflow_id=</c>: queues a run; <see cref="RunStarted.JobId"/> is its id.</summary>
    public Task<RunStarted> StartRunAsync(string workflowId, RunRequest? request = null, RunStartOptions? options = null, CancellationToken cancellationToken = default) =>
        StartAsync(workflowId, Json(request ?? new RunRequest(), EnrichflowJsonContext.Default.RunRequest), options, cancellationToken);

    /// <summary>
    /// <c>POST /workflows/run</c> of a <c>webhook</c> workflow with <paramref name="rows"/> as <c>webhook_payload</c>, written
    /// as they are enumerated (the server streams them to storage too), so a large input never sits whole in memory.
    /// <paramref name="request"/> gives the other fields (its <c>webhook_payload</c> is not used).
    /// </summary>
    public Task<RunStarted> StartRunAsync(string workflowId, IAsyncEnumerable<System.Text.Json.Nodes.JsonObject> rows, RunRequest? request = null, RunStartOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return StartAsync(workflowId, new RowsContent(rows, request ?? new RunRequest(), cancellationToken), options, cancellationToken);
    }

    private Task<RunStarted> StartAsync(string workflowId, HttpContent body, RunStartOptions? options, CancellationToken cancellationToken)
    {
        var query = $"workflows/run?workflow_id={Escape(workflowId)}";
        foreach (var format in options?.ResultFormats ?? [])
        {
            query += $"&result_formats={Escape(format)}";
        }

        if (options?.SaveJson == true)
        {
            query += "&save_json=true";
        }

        var message = Request(HttpMethod.Post, query, body);
        if (options?.IdempotencyKey is { } key)
        {
            message.Headers.Add("Idempotency-Key", key);
        }

        return SendAsync(message, EnrichflowJsonContext.Default.RunStarted, cancellationToken);
    }

    /// <summary><c>POST /workflows/estimate?workflow_id=</c> (ours): rows and credits per block, without running anything.</summary>
    public Task<WorkflowEstimate> EstimateRunAsync(string workflowId, RunRequest? request = null, CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Post, $"workflows/estimate?workflow_id={Escape(workflowId)}", Json(request ?? new RunRequest(), EnrichflowJsonContext.Default.RunRequest)),
            EnrichflowJsonContext.Default.WorkflowEstimate, cancellationToken);

    /// <summary><c>GET /workflows/runs?status=&amp;workflow_id=&amp;limit=</c>: newest first.</summary>
    public Task<List<Run>> ListRunsAsync(RunListQuery? query = null, CancellationToken cancellationToken = default)
    {
        var parts = new List<string>();
        if (query?.Status is { } status)
        {
            parts.Add($"status={Escape(status)}");
        }

        if (query?.WorkflowId is { } workflowId)
        {
            parts.Add($"workflow_id={Escape(workflowId)}");
        }

        if (query?.Limit is { } limit)
        {
            parts.Add($"limit={limit}");
        }

        var route = parts.Count == 0 ? "workflows/runs" : "workflows/runs?" + string.Join('&', parts);
        return SendAsync(Request(HttpMethod.Get, route), EnrichflowJsonContext.Default.ListRun, cancellationToken);
    }

    /// <summary><c>GET /workflows/runs/{id}</c> (ours).</summary>
    public Task<Run> GetRunAsync(string runId, CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Get, $"workflows/runs/{Escape(runId)}"), EnrichflowJsonContext.Default.Run, cancellationToken);

    /// <summary><c>GET /workflows/runs/{id}/live_status</c>: per-block progress and counts.</summary>
    public Task<LiveStatus> GetLiveStatusAsync(string runId, CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Get, $"workflows/runs/{Escape(runId)}/live_status"), EnrichflowJsonContext.Default.LiveStatus, cancellationToken);

    /// <summary><c>POST /workflows/cancel?job_id=</c>: a run that already ended keeps and answers its status.</summary>
    public Task<JobStatus> CancelRunAsync(string runId, CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Post, $"workflows/cancel?job_id={Escape(runId)}", Json(new System.Text.Json.Nodes.JsonObject(), EnrichflowJsonContext.Default.JsonObject)),
            EnrichflowJsonContext.Default.JobStatus, cancellationToken);

    /// <summary><c>POST /workflows/resume?job_id=</c> (ours): continues a paused or failed run, with a new credit budget when given.</summary>
    public Task<JobStatus> ResumeRunAsync(string runId, double? maxCredits = null, CancellationToken cancellationToken = default)
    {
        var body = new System.Text.Json.Nodes.JsonObject();
        if (maxCredits is { } max)
        {
            body["max_credits"] = max;
        }

        return SendAsync(Request(HttpMethod.Post, $"workflows/resume?job_id={Escape(runId)}", Json(body, EnrichflowJsonContext.Default.JsonObject)),
            EnrichflowJsonContext.Default.JobStatus, cancellationToken);
    }
}

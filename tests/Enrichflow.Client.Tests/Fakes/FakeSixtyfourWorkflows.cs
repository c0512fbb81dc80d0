using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Enrichflow.Client.Tests.Fakes;

/// <summary>
/// A fake of Sixtyfour's hosted Workflows API on loopback, answering exactly the shapes of
/// /work/shared/reference/sixtyfour-openapi-subset.json (as a FastAPI/Pydantic service writes them): fields Enrichflow
/// does not have (<c>user_uuid</c>, <c>user_id</c>), none of Enrichflow's additions (<c>version</c>, <c>warnings</c>,
/// <c>status_reason</c>, <c>file_size</c>, <c>block_id</c> of a result), ids that are not UUIDs, Python's
/// <c>isoformat()</c> times, float percentages, FastAPI's error bodies (with Pydantic v2's <c>input</c> and <c>url</c>),
/// and presigned storage links on another path that must be fetched without the API key.
/// </summary>
public sealed class FakeSixtyfourWorkflows : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, JsonObject> _workflows = new();
    private readonly ConcurrentDictionary<string, FakeRun> _runs = new();
    private JsonObject? _secret;
    private int _counter;

    private FakeSixtyfourWorkflows(WebApplication app, string key)
    {
        _app = app;
        ApiKey = key;
    }

    public string ApiKey { get; }

    public string BaseUrl { get; private set; } = "";

    /// <summary>Whether any request to the storage links carried an <c>x-api-key</c> (it must not: the link is a third party's).</summary>
    public bool StorageSawApiKey { get; private set; }

    public int StorageDownloads { get; private set; }

    /// <summary>The CSV each run's final link serves.</summary>
    public const string ResultCsv = "name,email\nAda Lovelace,ada@example.com\n";

    public static async Task<FakeSixtyfourWorkflows> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeSixtyfourWorkflows(app, "sk_test_fake_sixtyfour");
        fake.Map(app);
        await app.StartAsync(cancellationToken);
        fake.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return fake;
    }

    private sealed class FakeRun(string jobId, string workflowId)
    {
        public string JobId { get; } = jobId;

        public string WorkflowId { get; } = workflowId;

        public int Polls { get; set; }

        public string Status { get; set; } = "queued";
    }

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments("/storage-bucket") && context.Request.Headers["x-api-key"] != ApiKey)
            {
                await Results.Json(new JsonObject { ["detail"] = "Invalid API key" }, statusCode: 401).ExecuteAsync(context);
                return;
            }

            await next(context);
        });

        app.MapGet("/workflows", () => new JsonArray([.. _workflows.Values.Select(w => (JsonNode)w.DeepClone())]));
        app.MapGet("/workflows/blocks", () => new JsonArray(
            new JsonObject { ["block_name"] = "webhook", ["specs_schema"] = new JsonObject { ["type"] = "object" }, ["category"] = "source" },
            new JsonObject { ["block_name"] = "lead_enrichment", ["specs_schema"] = new JsonObject { ["type"] = "object" }, ["category"] = "enrichment" }));
        app.MapGet("/workflows/runs", (string? status, string? workflow_id, int? limit) => new JsonArray([.. _runs.Values
            .Where(r => workflow_id is null || r.WorkflowId == workflow_id)
            .Select(r => (JsonNode)RunJson(r))]));
        app.MapGet("/workflows/runs/{runId}/live_status", (string runId) => _runs.TryGetValue(runId, out var run) ? Results.Json(LiveStatus(run, advance: true)) : NotFound("Run not found"));
        app.MapGet("/workflows/runs/{runId}/results/download-links", (string runId, string? format) =>
            !_runs.ContainsKey(runId) ? NotFound("Run not found") : Results.Json(new JsonArray(new JsonObject
            {
                ["filename"] = "final_output.csv",
                ["storage_bucket"] = "sixtyfour-workflow-results",
                ["row_count"] = 1,
                ["block_number"] = 2,
                ["created_at"] = "2026-12-03T10:00:05.123456+00:00",
                ["message"] = null,
                ["content_type"] = "text/csv",
                ["download_url"] = $"{BaseUrl}/storage-bucket/{runId}/final_output.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=abc123",
                ["download_expires_in_seconds"] = 3600,
                ["results"] = new JsonArray(new JsonObject { ["name"] = "Ada Lovelace", ["email"] = "ada@example.com" }),
            })));
        app.MapGet("/storage-bucket/{runId}/final_output.csv", (HttpContext context) =>
        {
            StorageSawApiKey |= context.Request.Headers.ContainsKey("x-api-key");
            StorageDownloads++;
            return Results.Text(ResultCsv, "text/csv");
        });
        app.MapGet("/workflows/{workflowId}", (string workflowId) => _workflows.TryGetValue(workflowId, out var w) ? Results.Json(w) : NotFound("Workflow not found"));
        app.MapPost("/workflows/create_workflow", async (HttpRequest request) =>
        {
            var body = await Body(request);
            if (body?["workflow_name"] is null || body["workflow_definition"] is null || body["workflow_description"] is null)
            {
                var missing = body?["workflow_name"] is null ? "workflow_name" : body["workflow_definition"] is null ? "workflow_definition" : "workflow_description";
                return Unprocessable(["body", missing], "Field required", "missing");
            }

            var id = body["id"]?.GetValue<string>() ?? $"wf_{Interlocked.Increment(ref _counter):D4}";
            var workflow = new JsonObject
            {
                ["id"] = id,
                ["user_uuid"] = "usr_3b1c",
                ["org_id"] = null,
                ["name"] = body["workflow_name"]!.DeepClone(),
                ["description"] = body["workflow_description"]!.DeepClone(),
                ["status"] = "active",
                ["step"] = "draft",
                ["created_at"] = "2026-12-03T10:00:00.000001+00:00",
                ["updated_at"] = "2026-12-03T10:00:00.000001+00:00",
                ["last_run_date"] = null,
                ["workflow_definition"] = body["workflow_definition"]!.DeepClone(),
            };
            _workflows[id] = workflow;
            return Results.Json(workflow);
        });
        app.MapPost("/workflows/update_workflow", async (string workflow_id, HttpRequest request) =>
        {
            if (!_workflows.TryGetValue(workflow_id, out var workflow))
            {
                return NotFound("Workflow not found");
            }

            var body = await Body(request);
            if (body?["workflow_name"] is { } name)
            {
                workflow["name"] = name.DeepClone();
            }

            if (body?["workflow_definition"] is { } definition)
            {
                workflow["workflow_definition"] = definition.DeepClone();
            }

            workflow["updated_at"] = "2026-12-03T10:01:00.000001+00:00";
            return Results.Json(workflow);
        });
        app.MapPost("/workflows/delete_workflow", (string workflow_id) =>
        {
            if (!_workflows.TryRemove(workflow_id, out var workflow))
            {
                return NotFound("Workflow not found");
            }

            workflow["status"] = "deleted";
            workflow["step"] = "deleted";
            return Results.Json(workflow);
        });
        app.MapPost("/workflows/run", async (string? workflow_id, HttpRequest request) =>
        {
            if (workflow_id is null)
            {
                return Unprocessable(["query", "workflow_id"], "Field required", "missing");
            }

            if (!_workflows.ContainsKey(workflow_id))
            {
                return NotFound("Workflow not found");
            }

            _ = await Body(request);
            var jobId = $"job_{Interlocked.Increment(ref _counter):D4}_{Guid.NewGuid():N}"[..20];
            _runs[jobId] = new FakeRun(jobId, workflow_id);
            return Results.Json(new JsonObject
            {
                ["status"] = "queued",
                ["workflow_id"] = workflow_id,
                ["job_id"] = jobId,
                ["cache_config"] = new JsonObject(),
                ["already_started"] = null,
            });
        });
        app.MapPost("/workflows/cancel", (string job_id) =>
        {
            if (!_runs.TryGetValue(job_id, out var run))
            {
                return NotFound("Run not found");
            }

            if (run.Status is not ("completed" or "failed"))
            {
                run.Status = "cancelled";
            }

            return Results.Json(new JsonObject { ["job_id"] = job_id, ["status"] = run.Status });
        });
        app.MapGet("/webhooks/signing-secret", () => _secret is null ? Results.Text("null", "application/json") : Results.Json(_secret));
        app.MapPost("/webhooks/signing-secret", () =>
        {
            _secret = Secret("sk_whsec_...9f1e");
            return Results.Json(new JsonObject { ["plaintext"] = "sk_whsec_" + new string('a', 60) + "9f1e", ["meta"] = _secret.DeepClone() }, statusCode: 201);
        });
        app.MapPost("/webhooks/signing-secret/roll", () =>
        {
            _secret = Secret("sk_whsec_...77aa");
            return Results.Json(new JsonObject { ["plaintext"] = "sk_whsec_" + new string('b', 60) + "77aa", ["meta"] = _secret.DeepClone() });
        });
        app.MapDelete("/webhooks/signing-secret", () =>
        {
            _secret = null;
            return Results.NoContent();
        });
        app.MapPost("/workflows/interactive/start", async (HttpRequest request) =>
        {
            var body = await Body(request);
            if (body?["block_name"] is null || body["specs"] is null)
            {
                return Unprocessable(["body", body?["block_name"] is null ? "block_name" : "specs"], "Field required", "missing");
            }

            var jobId = $"int_{Interlocked.Increment(ref _counter):D4}";
            _runs[jobId] = new FakeRun(jobId, "interactive");
            return Results.Json(new JsonObject { ["job_id"] = jobId, ["status"] = "running" });
        });
        app.MapPost("/workflows/interactive/{jobId}/add-block", async (string jobId, HttpRequest request) =>
        {
            var body = await Body(request);
            return body?["block_name"]?.GetValue<string>() == "no_such_block"
                ? Results.Json(new JsonObject { ["accepted"] = false, ["block_id"] = null, ["error"] = "Unknown block 'no_such_block'" })
                : Results.Json(new JsonObject { ["accepted"] = true, ["block_id"] = "block_2", ["error"] = null });
        });
        app.MapGet("/workflows/interactive/{jobId}/state", (string jobId) => _runs.TryGetValue(jobId, out var run) ? Results.Json(LiveStatus(run, advance: false)) : NotFound("Job not found"));
        app.MapGet("/workflows/interactive/{jobId}/output", (string jobId, string block_id) =>
            Results.Json(new JsonObject { ["block_id"] = block_id, ["resource_handle_id"] = "res_8d2f", ["row_count"] = 1 }));
        app.MapPost("/workflows/interactive/{jobId}/finish", (string jobId) => Results.Json(new JsonObject { ["status"] = "completed" }));
    }

    private static JsonObject Secret(string preview) => new()
    {
        ["id"] = "whs_1",
        ["org_id"] = "org_42",
        ["preview"] = preview,
        ["status"] = "active",
        ["created_at"] = "2026-12-03T10:00:00+00:00",
        ["revoked_at"] = null,
    };

    private static JsonObject RunJson(FakeRun run) => new()
    {
        ["job_id"] = run.JobId,
        ["workflow_id"] = run.WorkflowId,
        ["workflow_name"] = "Leads",
        ["status"] = run.Status,
        ["step"] = null,
        ["user_id"] = "usr_3b1c",
        ["created_at"] = "2026-12-03T10:00:01.5+00:00",
        ["updated_at"] = "2026-12-03T10:00:02.5+00:00",
        ["queued_at"] = "2026-12-03T10:00:01.5+00:00",
        ["started_at"] = null,
        ["completed_at"] = null,
        ["duration_ms"] = null,
        ["status_reason"] = null,
        ["error_message"] = null,
        ["metrics"] = new JsonObject { ["rows_processed"] = 3 },
        ["blocks"] = null,
        ["blocks_count"] = 2,
    };

    /// <summary>Sixtyfour's <c>WorkflowLiveStatusResponse</c>; each poll of <c>live_status</c> moves the run on: queued, running at 50%, completed.</summary>
    private static JsonObject LiveStatus(FakeRun run, bool advance)
    {
        if (advance && run.Status is "queued" or "running")
        {
            run.Polls++;
            run.Status = run.Polls switch { 1 => "queued", 2 => "running", _ => "completed" };
        }

        var percent = run.Status switch { "completed" => 100.0, "running" => 50.0, _ => 0.0 };
        return new JsonObject
        {
            ["run_id"] = run.JobId,
            ["workflow_id"] = run.WorkflowId,
            ["overall_status"] = run.Status,
            ["current_block"] = run.Status == "running" ? "lead_enrichment" : null,
            ["current_block_sequence"] = run.Status == "running" ? 2 : null,
            ["total_blocks"] = 2,
            ["completed_blocks"] = run.Status == "completed" ? 2 : run.Status == "running" ? 1 : 0,
            ["started_at"] = run.Status == "queued" ? null : "2026-12-03T10:00:02.000000",
            ["completed_at"] = run.Status == "completed" ? "2026-12-03T10:00:05.000000" : null,
            ["last_updated"] = "2026-12-03T10:00:04.250000",
            ["overall_progress_percentage"] = percent,
            ["estimation_blocked_by"] = null,
            ["blocks"] = new JsonArray(
                Block(1, "webhook", run.Status == "queued" ? "pending" : "completed", run.Status == "queued" ? 0.0 : 100.0),
                Block(2, "lead_enrichment", run.Status switch { "completed" => "completed", "running" => "running", "cancelled" => "cancelled", _ => "pending" }, percent == 100.0 ? 100.0 : percent / 2)),
        };
    }

    private static JsonObject Block(int sequence, string name, string status, double percent) => new()
    {
        ["block_id"] = null,
        ["block_name"] = name,
        ["sequence_number"] = sequence,
        ["previous_block_ids"] = null,
        ["status"] = status,
        ["started_at"] = null,
        ["completed_at"] = null,
        ["progress_percentage"] = percent,
        ["current_step"] = null,
        ["processed_count"] = (int)(percent / 100 * 3),
        ["total_count"] = 3,
        ["estimated_total_count"] = null,
        ["last_updated"] = "2026-12-03T10:00:04.250000",
        ["error_message"] = null,
        ["metrics"] = new JsonObject { ["row_count"] = 3, ["dataframe_type"] = "LEAD", ["processed_count"] = null, ["total_count"] = null },
    };

    private static async Task<JsonObject?> Body(HttpRequest request) =>
        request.ContentLength is 0 ? null : await JsonNode.ParseAsync(request.Body) as JsonObject;

    private static IResult NotFound(string detail) => Results.Json(new JsonObject { ["detail"] = detail }, statusCode: 404);

    private static IResult Unprocessable(string[] loc, string msg, string type) => Results.Json(new JsonObject
    {
        ["detail"] = new JsonArray(new JsonObject
        {
            ["type"] = type,
            ["loc"] = new JsonArray([.. loc.Select(l => (JsonNode)l)]),
            ["msg"] = msg,
            ["input"] = null,
            ["url"] = $"https://errors.pydantic.dev/2.9/v/{type}",
        }),
    }, statusCode: 422);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}

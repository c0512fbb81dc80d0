using System.Net;
using System.Text.Json.Nodes;
using Enrichflow.Client.Models;
using Enrichflow.Client.Tests.Fakes;

namespace Enrichflow.Client.Tests;

/// <summary>
/// The client against Sixtyfour's hosted API, as a fake answering their shapes (Fakes/FakeSixtyfourWorkflows.cs): the
/// endpoints both have work with only the base address and key changed, tolerant of their fields (unknown ones ignored,
/// their optional ones null, ids that are not UUIDs, Python times, float percentages).
/// </summary>
public sealed class SixtyfourCompatibilityTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly HttpClient _http = new();
    private FakeSixtyfourWorkflows _fake = null!;
    private EnrichflowClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _fake = await FakeSixtyfourWorkflows.StartAsync(Ct);
        _client = new EnrichflowClient(_http, new EnrichflowClientOptions { BaseAddress = new Uri(_fake.BaseUrl), ApiKey = _fake.ApiKey, PollInterval = TimeSpan.FromMilliseconds(10) });
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _fake.DisposeAsync();
    }

    private static WorkflowDefinition Leads() => new(
        [new WorkflowBlock(1, "webhook", BlockId: "input"), new WorkflowBlock(2, "lead_enrichment", new JsonObject { ["return_fields"] = new JsonObject { ["title"] = "job title" } }, "enrich")],
        [new WorkflowEdge("input", "enrich")]);

    [Fact]
    public async Task Workflow_management_reads_their_workflow_shape()
    {
        var created = await _client.CreateWorkflowAsync(new CreateWorkflowRequest("Leads", Leads(), "their shapes"), Ct);
        Assert.StartsWith("wf_", created.Id, StringComparison.Ordinal);
        Assert.Null(created.OrgId);
        Assert.Equal(0, created.Version);
        Assert.Null(created.Warnings);
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero).AddTicks(10), created.CreatedAt);
        // What the client sent is what they keep: block_type filled in (their schema requires it) and specs always an object.
        Assert.Equal("webhook", created.WorkflowDefinition!.Blocks[0].BlockType);
        Assert.NotNull(created.WorkflowDefinition.Blocks[0].Specs);

        Assert.Equal(created.Id, Assert.Single(await _client.ListWorkflowsAsync(Ct)).Id);
        Assert.Equal("lead_enrichment", (await _client.GetWorkflowAsync(created.Id, Ct)).WorkflowDefinition!.Blocks[1].BlockName);
        Assert.Equal("Renamed", (await _client.UpdateWorkflowAsync(created.Id, new UpdateWorkflowRequest(WorkflowName: "Renamed"), Ct)).Name);
        var blocks = await _client.ListBlocksAsync(Ct);
        Assert.Equal(["webhook", "lead_enrichment"], blocks.Select(b => b.BlockName));
        Assert.Null(blocks[0].Aliases);
        Assert.Equal("deleted", (await _client.DeleteWorkflowAsync(created.Id, Ct)).Status);
    }

    [Fact]
    public async Task A_run_is_started_followed_and_downloaded_without_sending_the_key_to_storage()
    {
        var workflow = await _client.CreateWorkflowAsync(new CreateWorkflowRequest("Leads", Leads(), ""), Ct);
        var seen = new List<LiveStatus>();
        var final = await _client.RunAndWaitAsync(workflow.Id, RunRequest.WithRows([new JsonObject { ["name"] = "Ada Lovelace" }]),
            new RunWaitOptions { Progress = new Recorder(seen) }, cancellationToken: Ct);

        Assert.Equal("completed", final.OverallStatus);
        Assert.StartsWith("job_", final.RunId, StringComparison.Ordinal);
        Assert.Equal(["queued", "running", "completed"], seen.Select(s => s.OverallStatus));
        Assert.Equal([0.0, 50.0, 100.0], seen.Select(s => s.OverallProgressPercentage));
        Assert.Equal(25.0, seen[1].Blocks![1].ProgressPercentage);
        Assert.Null(final.StatusReason);
        Assert.Null(final.Blocks![0].BlockId);
        Assert.Null(final.Blocks[0].Metrics!.RowsRejected);

        var run = Assert.Single(await _client.ListRunsAsync(new RunListQuery(WorkflowId: workflow.Id), Ct));
        Assert.Equal(final.RunId, run.JobId);
        Assert.Null(run.RunId);
        Assert.Null(run.Metrics!.RowsIn);

        var link = Assert.Single(await _client.GetDownloadLinksAsync(final.RunId, cancellationToken: Ct));
        Assert.Null(link.BlockId);
        Assert.Null(link.FileSize);
        Assert.Equal("Ada Lovelace", link.Results![0]["name"]!.GetValue<string>());
        using var destination = new MemoryStream();
        Assert.Equal("final_output.csv", (await _client.DownloadResultAsync(final.RunId, destination, cancellationToken: Ct)).Filename);
        Assert.Equal(FakeSixtyfourWorkflows.ResultCsv, System.Text.Encoding.UTF8.GetString(destination.ToArray()));
        Assert.Equal(1, _fake.StorageDownloads);
        Assert.False(_fake.StorageSawApiKey, "the API key went to the storage link");
    }

    [Fact]
    public async Task Cancel_answers_their_job_status()
    {
        var workflow = await _client.CreateWorkflowAsync(new CreateWorkflowRequest("Leads", Leads(), ""), Ct);
        var started = await _client.StartRunAsync(workflow.Id, cancellationToken: Ct);
        Assert.Null(started.AlreadyStarted);
        Assert.Equal(new JobStatus(started.JobId, "cancelled"), await _client.CancelRunAsync(started.JobId, Ct));
        Assert.Equal("cancelled", (await _client.WaitForRunAsync(started.JobId, cancellationToken: Ct)).OverallStatus);
    }

    [Fact]
    public async Task Their_errors_carry_detail_as_text_or_as_the_validation_list()
    {
        var missing = await Assert.ThrowsAsync<EnrichflowApiException>(() => _client.GetWorkflowAsync("wf_nope", Ct));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("Workflow not found", missing.Detail.Text);

        var wrongKey = new EnrichflowClient(_http, new EnrichflowClientOptions { BaseAddress = new Uri(_fake.BaseUrl), ApiKey = "wrong" });
        var unauthorized = await Assert.ThrowsAsync<EnrichflowApiException>(() => wrongKey.ListWorkflowsAsync(Ct));
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal("Invalid API key", unauthorized.Detail.Text);

        var invalid = await Assert.ThrowsAsync<EnrichflowApiException>(() => _client.StartInteractiveAsync(new StartInteractiveRequest("webhook") { Specs = null }, Ct));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.StatusCode);
        var item = Assert.Single(invalid.Detail.Items);
        Assert.Equal("body.specs", item.Path);
        Assert.Equal("missing", item.Type);
        Assert.Contains("body.specs: Field required", invalid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signing_secrets_and_interactive_sessions_read_their_shapes()
    {
        Assert.Null(await _client.GetSigningSecretAsync(Ct));
        var created = await _client.CreateSigningSecretAsync(Ct);
        Assert.StartsWith("sk_whsec_", created.Plaintext, StringComparison.Ordinal);
        Assert.Equal("active", (await _client.GetSigningSecretAsync(Ct))!.Status);
        Assert.Equal("sk_whsec_...77aa", (await _client.RollSigningSecretAsync(24, Ct)).Meta.Preview);
        await _client.DeleteSigningSecretAsync(Ct);
        Assert.Null(await _client.GetSigningSecretAsync(Ct));

        var session = await _client.StartInteractiveAsync(new StartInteractiveRequest("webhook") { WebhookPayload = new JsonArray(new JsonObject { ["name"] = "Ada" }) }, Ct);
        Assert.StartsWith("int_", session.JobId, StringComparison.Ordinal);
        Assert.False((await _client.AddInteractiveBlockAsync(session.JobId, new AddBlockRequest("no_such_block", "block_1"), Ct)).Accepted);
        Assert.Equal("block_2", (await _client.AddInteractiveBlockAsync(session.JobId, new AddBlockRequest("lead_enrichment", "block_1"), Ct)).BlockId);
        Assert.Equal(2, (await _client.GetInteractiveStateAsync(session.JobId, Ct)).TotalBlocks);
        Assert.Equal("res_8d2f", (await _client.GetInteractiveOutputAsync(session.JobId, "block_2", Ct)).ResourceHandleId);
        Assert.Equal("completed", (await _client.FinishInteractiveAsync(session.JobId, Ct)).Status);
    }

    private sealed class Recorder(List<LiveStatus> seen) : IProgress<LiveStatus>
    {
        public void Report(LiveStatus value) => seen.Add(value);
    }
}

using System.Net;
using System.Net.Http.Json;
using Enrichflow.Server.Tests.Infrastructure;
using static Enrichflow.Server.Tests.BadInput.BadInputKit;

namespace Enrichflow.Server.Tests.BadInput;

/// <summary>
/// Query values and ids of the runs and results endpoints (docs/api.md §1, §3): <c>result_formats</c>, <c>status</c>,
/// run ids, <c>job_id</c> and the download-links <c>format</c>.
/// </summary>
public sealed class RunQueryBadInputTests
{
    [Theory]
    [InlineData("xml")]
    [InlineData("csv,xml")]
    [InlineData("parquet")]
    public async Task Result_formats_outside_csv_json_ndjson_is_400_naming_the_value_and_queues_nothing(string formats)
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var response = await server.Client.PostAsJsonAsync($"/workflows/run?workflow_id={workflow}&result_formats={formats}", new { webhook_payload = new { a = 1 } }, Ct);
        await AssertDetailAsync(response, HttpStatusCode.BadRequest, "result_formats", formats.Split(',').Last());
        Assert.Equal(0, await RunCountAsync(server));
        Assert.Empty(StoredFiles(server, "runs"));
    }

    [Theory]
    [InlineData("done")]
    [InlineData("COMPLETE")]
    [InlineData("deleted")]
    public async Task An_unknown_status_filter_is_400_naming_the_parameter(string status)
    {
        await using var server = await TestServer.StartAsync();
        var response = await server.Client.GetAsync($"/workflows/runs?status={status}", Ct);
        await AssertDetailAsync(response, HttpStatusCode.BadRequest, "'status'", status);
    }

    [Fact]
    public async Task Every_documented_status_filter_is_accepted()
    {
        await using var server = await TestServer.StartAsync();
        foreach (var status in new[] { "running", "completed", "cancelled", "failed", "queued", "paused", "active" })
        {
            var response = await server.Client.GetAsync($"/workflows/runs?status={status}", Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"status={status} answered {(int)response.StatusCode}");
        }
    }

    [Theory]
    [InlineData("0190a8d2-7c1e-7000-8000-000000000000")]
    [InlineData("not-a-run-id")]
    [InlineData("12345")]
    public async Task An_unknown_or_garbage_run_id_is_404_everywhere(string runId)
    {
        await using var server = await TestServer.StartAsync();
        var id = Uri.EscapeDataString(runId);
        await AssertDetailAsync(await server.Client.GetAsync($"/workflows/runs/{id}", Ct), HttpStatusCode.NotFound, "Run not found");
        await AssertDetailAsync(await server.Client.GetAsync($"/workflows/runs/{id}/live_status", Ct), HttpStatusCode.NotFound, "Run not found");
        await AssertDetailAsync(await server.Client.GetAsync($"/workflows/runs/{id}/results/download-links", Ct), HttpStatusCode.NotFound, "Run not found");
        await AssertDetailAsync(await server.Client.PostAsJsonAsync($"/workflows/cancel?job_id={id}", new { }, Ct), HttpStatusCode.NotFound, "Run not found");
        await AssertDetailAsync(await server.Client.PostAsync($"/workflows/resume?job_id={id}", null, Ct), HttpStatusCode.NotFound, "Run not found");
    }

    [Fact]
    public async Task Cancel_without_job_id_is_422_at_query_job_id()
    {
        await using var server = await TestServer.StartAsync();
        var item = await AssertUnprocessableAsync(await server.Client.PostAsJsonAsync("/workflows/cancel", new { }, Ct));
        Assert.Equal(["query", "job_id"], item.GetProperty("loc").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Download_links_in_a_format_the_run_did_not_ask_for_is_400_naming_the_format()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = new { a = 1 } }, "&result_formats=ndjson");
        await server.WaitForRunAsync(runId);
        var json = await server.Client.GetAsync($"/workflows/runs/{runId}/results/download-links?format=json", Ct);
        await AssertDetailAsync(json, HttpStatusCode.BadRequest, "json", "result_formats=json");
        var xml = await server.Client.GetAsync($"/workflows/runs/{runId}/results/download-links?format=xml", Ct);
        await AssertDetailAsync(xml, HttpStatusCode.BadRequest, "'format'", "xml");

        // The formats it did ask for still answer.
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync($"/workflows/runs/{runId}/results/download-links?format=ndjson", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync($"/workflows/runs/{runId}/results/download-links?format=csv", Ct)).StatusCode);
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests;

/// <summary>What a client written for Sixtyfour's FastAPI server sends or expects, read the same way here (docs/api.md §1, §3).</summary>
public sealed class SixtyfourSpellingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Status_canceled_filters_as_cancelled()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = new { a = 1 } });
        await server.WaitForRunAsync(runId);

        var completed = await server.Client.GetFromJsonAsync<JsonElement>("/workflows/runs?status=completed", Ct);
        var canceled = await server.Client.GetAsync("/workflows/runs?status=canceled", Ct);
        var cancelled = await server.Client.GetFromJsonAsync<JsonElement>("/workflows/runs?status=cancelled", Ct);

        Assert.Contains(completed.EnumerateArray(), r => r.GetProperty("job_id").GetString() == runId);
        Assert.Equal(HttpStatusCode.OK, canceled.StatusCode);
        var body = await canceled.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(0, body.GetArrayLength());
        Assert.Equal(cancelled.GetRawText(), body.GetRawText());
    }

    [Theory]
    [InlineData("true")]
    [InlineData("TRUE")]
    [InlineData("1")]
    [InlineData("yes")]
    [InlineData("on")]
    public async Task Save_json_in_each_of_fastapis_spellings_of_true_writes_json_results(string value)
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = new[] { new { a = 1 }, new { a = 2 } } }, $"&save_json={value}");
        await server.WaitForRunAsync(runId);

        var json = await server.DownloadFinalAsync(runId, "json");
        Assert.Equal(2, JsonDocument.Parse(json).RootElement.GetArrayLength());
    }

    [Theory]
    [InlineData("false")]
    [InlineData("0")]
    [InlineData("no")]
    [InlineData("maybe")]
    public async Task Save_json_that_is_not_true_writes_no_json_results(string value)
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = new { a = 1 } }, $"&save_json={value}");
        await server.WaitForRunAsync(runId);

        var links = await server.Client.GetAsync($"/workflows/runs/{runId}/results/download-links?format=json", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, links.StatusCode);
    }

    [Fact]
    public async Task An_empty_webhook_payload_to_a_read_csv_workflow_adds_no_row_and_is_not_an_error()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.ReadCsvOnly);
        var handle = await server.UploadAsync("leads.csv", Encoding.UTF8.GetBytes("name\nann\nbob\n"));

        var runId = await server.StartRunAsync(workflow, new { webhook_payload = Array.Empty<object>(), specs_override = new { resource_handle_id = handle } });
        var status = await server.WaitForRunAsync(runId);

        Assert.Equal("completed", status.GetProperty("overall_status").GetString());
        var csv = await server.DownloadFinalAsync(runId);
        Assert.Equal(["name", "ann", "bob"], csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')));
    }

    [Fact]
    public async Task A_webhook_payload_with_rows_to_a_read_csv_workflow_is_still_400()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.ReadCsvOnly);
        var handle = await server.UploadAsync("leads.csv", Encoding.UTF8.GetBytes("name\nann\n"));

        var response = await server.Client.PostAsJsonAsync($"/workflows/run?workflow_id={workflow}",
            new { webhook_payload = new[] { new { name = "zed" } }, specs_override = new { resource_handle_id = handle } }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task A_run_that_dropped_no_row_lists_no_rejects_file_and_only_its_csv_files()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = new { a = 1 } }, "&result_formats=ndjson");
        await server.WaitForRunAsync(runId);

        Assert.Equal(0, (await server.DownloadLinksAsync(runId, "rejects")).GetArrayLength());
        Assert.All((await server.DownloadLinksAsync(runId, includeRejects: true)).EnumerateArray(),
            l => Assert.EndsWith(".csv", l.GetProperty("filename").GetString(), StringComparison.Ordinal));
        Assert.All((await server.DownloadLinksAsync(runId, "ndjson")).EnumerateArray(),
            l => Assert.EndsWith(".ndjson", l.GetProperty("filename").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_route_is_404_with_fastapis_body()
    {
        await using var server = await TestServer.StartAsync();
        var response = await server.Client.GetAsync("/workflows/no-such-thing/here", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("""{"detail":"Not Found"}""", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task A_known_route_with_another_method_is_405_with_fastapis_body()
    {
        await using var server = await TestServer.StartAsync();
        var response = await server.Client.DeleteAsync("/workflows/run", Ct);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("""{"detail":"Method Not Allowed"}""", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task A_run_that_does_not_exist_keeps_its_own_404_detail()
    {
        await using var server = await TestServer.StartAsync();
        var response = await server.Client.GetAsync($"/workflows/runs/{Guid.CreateVersion7()}/live_status", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.NotEqual("""{"detail":"Not Found"}""", await response.Content.ReadAsStringAsync(Ct));
    }
}

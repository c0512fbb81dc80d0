using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Interactive;

/// <summary>Interactive sessions (docs/api.md §12): a workflow built a block at a time over real rows, then saved.</summary>
public sealed class InteractiveSessionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly object[] Leads = [.. Enumerable.Range(0, 1000).Select(i => (object)new
    {
        name = $"lead {i}",
        email = i % 3 == 0 ? $"not-an-email-{i}" : $"lead{i}@example.com",
        score = i,
    })];

    [Fact]
    public async Task A_session_of_three_blocks_over_1000_rows_gives_handles_and_saves_a_workflow_that_gives_the_same_rows()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Engine:ChunkSize"] = "300" });
        var session = new InteractiveClient(server);

        var jobId = await session.StartAsync(new { block_name = "webhook", specs = new { }, webhook_payload = Leads });
        // Blocks may be added before their parent has finished: each runs over its parent's committed output.
        var validate = await session.AddAcceptedAsync(jobId, "validate_email", new { email_field = "email", check_mx = false }, "block_1");
        await session.WaitForBlockAsync(jobId, validate);
        var filter = await session.AddAcceptedAsync(jobId, "filter", new { filters = new[] { new { column = "email_status", @operator = "equals", value = "valid" } } }, validate);
        var transform = await session.AddAcceptedAsync(jobId, "transform", new { operations = new object[] { new { op = "upper", column = "name" } } }, filter);
        Assert.Equal(["block_2", "block_3", "block_4"], new[] { validate, filter, transform });
        await session.WaitForBlockAsync(jobId, transform);

        // Each block's output is an upload handle with its row count.
        var outputs = new Dictionary<string, JsonElement>();
        foreach (var block in new[] { "block_1", validate, filter, transform })
        {
            outputs[block] = await session.OutputAsync(jobId, block);
            Assert.Equal(block, outputs[block].GetProperty("block_id").GetString());
        }

        Assert.Equal([1000, 1000, 666, 666], outputs.Values.Select(o => o.GetProperty("row_count").GetInt32()));
        Assert.Equal(outputs[transform].GetProperty("resource_handle_id").GetString(), (await session.OutputAsync(jobId, transform)).GetProperty("resource_handle_id").GetString());

        // The session is a run: listed, with live status and download links under its job_id.
        var runs = await server.Client.GetFromJsonAsync<JsonElement>("/workflows/runs?status=active", Ct);
        Assert.Contains(runs.EnumerateArray(), r => r.GetProperty("job_id").GetString() == jobId);
        var live = await server.Client.GetFromJsonAsync<JsonElement>($"/workflows/runs/{jobId}/live_status", Ct);
        Assert.Equal(4, live.GetProperty("total_blocks").GetInt32());
        Assert.Equal("running", live.GetProperty("overall_status").GetString());
        var sessionRows = await BlockRowsAsync(server, jobId, transform);
        Assert.Equal(666, sessionRows.Count);
        Assert.All(sessionRows, r => Assert.StartsWith("LEAD ", JsonDocument.Parse(r).RootElement.GetProperty("name").GetString(), StringComparison.Ordinal));

        // A read_csv run over a block's handle reads exactly that block's rows.
        var readCsv = await server.CreateWorkflowAsync("""{"blocks": [{"sequence_number": 1, "block_name": "read_csv", "block_id": "in"}], "edges": []}""");
        var overHandle = await server.StartRunAsync(readCsv, new { specs_override = new { resource_handle_id = outputs[transform].GetProperty("resource_handle_id").GetString() } }, "&result_formats=ndjson");
        Assert.Equal("completed", (await server.WaitForRunAsync(overHandle)).GetProperty("overall_status").GetString());
        Assert.Equal(sessionRows, Lines(await server.DownloadFinalAsync(overHandle, "ndjson")));

        // Saved: the chain from the webhook source to the transform, which gives the same rows over the same input.
        var (saveStatus, saved) = await session.PostAsync($"/workflows/interactive/{jobId}/save", new { block_id = transform, workflow_name = "valid leads", workflow_description = "built interactively" });
        Assert.Equal(HttpStatusCode.OK, saveStatus);
        Assert.Equal("valid leads", saved.GetProperty("name").GetString());
        var definition = saved.GetProperty("workflow_definition");
        Assert.Equal(["webhook", "validate_email", "filter", "transform"], definition.GetProperty("blocks").EnumerateArray().Select(b => b.GetProperty("block_name").GetString()));
        Assert.Equal(3, definition.GetProperty("edges").GetArrayLength());
        var rerun = await server.StartRunAsync(saved.GetProperty("id").GetString()!, new { webhook_payload = Leads }, "&result_formats=ndjson");
        Assert.Equal("completed", (await server.WaitForRunAsync(rerun)).GetProperty("overall_status").GetString());
        Assert.Equal(sessionRows, Lines(await server.DownloadFinalAsync(rerun, "ndjson")));

        // Finished, the session completes like any run.
        var (finishStatus, finished) = await session.PostAsync($"/workflows/interactive/{jobId}/finish", null);
        Assert.Equal(HttpStatusCode.OK, finishStatus);
        Assert.Contains(finished.GetProperty("status").GetString(), new[] { "running", "completed" });
        var ended = await server.WaitForRunAsync(jobId);
        Assert.Equal("completed", ended.GetProperty("overall_status").GetString());
        Assert.Equal(100, ended.GetProperty("overall_progress_percentage").GetInt32());
        Assert.Equal(sessionRows, Lines(await server.DownloadFinalAsync(jobId, "ndjson")));
    }

    [Fact]
    public async Task A_session_over_an_upload_saves_a_read_csv_workflow_and_keeps_its_blocks_across_a_restart()
    {
        var directory = Path.Combine(Path.GetTempPath(), "enrichflow-tests", Guid.NewGuid().ToString("N"));
        try
        {
            string jobId, handle, key;
            await using (var server = await TestServer.StartAsync(dataDirectory: directory))
            {
                key = server.ApiKey;
                handle = await server.UploadAsync("people.csv", "name,city\nada,london\nbob,paris\ncid,london\n"u8.ToArray());
                var session = new InteractiveClient(server);
                jobId = await session.StartAsync(new { block_name = "read_csv", specs = new { resource_handle_id = handle } });
                var filter = await session.AddAcceptedAsync(jobId, "filter", new { filters = new[] { new { column = "city", @operator = "equals", value = "london" } } }, "block_1");
                await session.WaitForBlockAsync(jobId, filter);
            }

            await using (var server = await TestServer.StartAsync(dataDirectory: directory))
            {
                var session = new InteractiveClient(server, server.NewClient(key));
                var state = await session.StateAsync(jobId);
                Assert.Equal("running", state.GetProperty("overall_status").GetString());
                var upper = await session.AddAcceptedAsync(jobId, "transform", new { operations = new object[] { new { op = "upper", column = "name" } } }, "block_2");
                await session.WaitForBlockAsync(jobId, upper);
                Assert.Equal(2, (await session.OutputAsync(jobId, upper)).GetProperty("row_count").GetInt32());

                var (_, saved) = await session.PostAsync($"/workflows/interactive/{jobId}/save", new { block_id = upper, workflow_name = "londoners" });
                var blocks = saved.GetProperty("workflow_definition").GetProperty("blocks");
                Assert.Equal("read_csv", blocks[0].GetProperty("block_name").GetString());
                Assert.Equal(handle, blocks[0].GetProperty("specs").GetProperty("resource_handle_id").GetString());

                using var client = server.NewClient(key);
                var run = await client.PostAsJsonAsync($"/workflows/run?workflow_id={saved.GetProperty("id").GetString()}", new { }, Ct);
                var runId = (await run.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("job_id").GetString()!;
                var links = await WaitAndLinkAsync(client, runId);
                using var anonymous = new HttpClient();
                Assert.Equal("name,city\nADA,london\nCID,london\n", (await anonymous.GetStringAsync(links, Ct)).Replace("\r\n", "\n", StringComparison.Ordinal));

                var (_, finished) = await session.PostAsync($"/workflows/interactive/{jobId}/finish", null);
                Assert.NotEqual("failed", finished.GetProperty("status").GetString());
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_two_phase_block_added_to_a_session_observes_every_chunk_of_its_parent_first()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Engine:ChunkSize"] = "10" });
        var session = new InteractiveClient(server);
        var rows = Enumerable.Range(0, 95).Select(i => new { email = $"lead{i % 40}@example.com", n = i }).ToArray();
        var jobId = await session.StartAsync(new { block_name = "webhook", specs = new { }, webhook_payload = rows });
        await session.WaitForBlockAsync(jobId, "block_1");

        var dedupe = await session.AddAcceptedAsync(jobId, "deduplicate", new { key_fields = new[] { "email" } }, "block_1");
        await session.WaitForBlockAsync(jobId, dedupe);

        Assert.Equal(40, (await session.OutputAsync(jobId, dedupe)).GetProperty("row_count").GetInt32());
        var kept = (await BlockRowsAsync(server, jobId, dedupe)).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("n").GetInt32());
        Assert.Equal(Enumerable.Range(0, 40), kept);
    }

    [Fact]
    public async Task A_session_with_no_call_for_its_idle_time_finishes_by_itself()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Interactive:IdleMinutes"] = "0.02" });
        var session = new InteractiveClient(server);
        var jobId = await session.StartAsync(new { block_name = "webhook", specs = new { }, webhook_payload = new[] { new { email = "a@example.com" } } });

        var ended = await server.WaitForRunAsync(jobId);

        Assert.Equal("completed", ended.GetProperty("overall_status").GetString());
        var (status, body) = await session.PostAsync($"/workflows/interactive/{jobId}/add-block", new { block_name = "filter", specs = new { expression = "true" }, parent_block_id = "block_1" });
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("takes no more blocks", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_start_body_is_read_as_a_stream_with_its_fields_after_a_large_payload()
    {
        await using var server = await TestServer.StartAsync();
        // The fields come after 5,000 rows, and specs (an input_schema of 800 columns) is larger than the reader's first buffer.
        var rows = string.Join(",", Enumerable.Range(0, 5000).Select(i => "{\"id\": " + i + ", \"c0\": \"v" + i + "\"}"));
        var schema = string.Join(",", Enumerable.Range(0, 800).Select(i => "\"c" + i + "\": {\"type\": \"string\", \"description\": \"column number " + i + " of the wide schema\"}"));
        var body = "{\"webhook_payload\": [" + rows + "], \"save_json\": true, \"block_name\": \"webhook\", \"specs\": {\"input_schema\": {" + schema + "}}}";
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");

        var response = await server.Client.PostAsync("/workflows/interactive/start", content, Ct);

        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var jobId = JsonDocument.Parse(text).RootElement.GetProperty("job_id").GetString()!;
        var session = new InteractiveClient(server);
        var source = await session.WaitForBlockAsync(jobId, "block_1");
        Assert.Equal(5000, source.GetProperty("processed_count").GetInt32());
        var missing = await session.AddBlockAsync(jobId, "filter", new { filters = new[] { new { column = "c900", @operator = "is_empty" } } }, "block_1");
        Assert.False(missing.GetProperty("accepted").GetBoolean());
        Assert.Contains("json", (await server.DownloadLinksAsync(jobId, "json")).EnumerateArray().Single().GetProperty("filename").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Interactive_IdleMinutes_must_be_positive()
    {
        var directory = Path.Combine(Path.GetTempPath(), "enrichflow-tests", Guid.NewGuid().ToString("N"));
        try
        {
            await using var app = Enrichflow.Server.Hosting.EnrichflowApp.Build(new Enrichflow.Server.Hosting.ServeSettings("http://127.0.0.1:0", directory), overrides:
                [new("Interactive:IdleMinutes", "0")]);

            Assert.Contains("Interactive:IdleMinutes must be more than 0 and at most 10080 (a week) (was 0).", Enrichflow.Server.Hosting.EnrichflowApp.ConfigurationProblems(app));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The NDJSON lines of one block of a run, from its download links.</summary>
    internal static async Task<List<string>> BlockRowsAsync(TestServer server, string runId, string blockId)
    {
        var links = await server.DownloadLinksAsync(runId, "ndjson");
        var url = links.EnumerateArray().Single(l => l.GetProperty("block_id").GetString() == blockId).GetProperty("download_url").GetString()!;
        using var anonymous = new HttpClient();
        return Lines(await anonymous.GetStringAsync(url, Ct));
    }

    private static List<string> Lines(string text) => [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries)];

    private static async Task<string> WaitAndLinkAsync(HttpClient client, string runId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((await client.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}/live_status", Ct)).GetProperty("overall_status").GetString() != "completed")
        {
            Assert.True(DateTime.UtcNow < deadline, $"run {runId} did not complete in time");
            await Task.Delay(50, Ct);
        }

        var links = await client.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}/results/download-links", Ct);
        return links.EnumerateArray().Last().GetProperty("download_url").GetString()!;
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Enrichflow.Hosting;
using Enrichflow.Hosting.Results;
using Enrichflow.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Enrichflow.Server.Tests;

public sealed class RunApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static object Leads(int count) => new
    {
        webhook_payload = Enumerable.Range(0, count).Select(i => new { name = $"Lead {i}", email = i % 3 == 0 ? $"bad{i}@@example.com" : $"lead{i}@example.com" }).ToArray(),
    };

    [Fact]
    public async Task A_webhook_run_completes_and_its_files_download()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookValidate);
        var response = await server.Client.PostAsJsonAsync($"/workflows/run?workflow_id={workflow}&result_formats=ndjson", Leads(9), Ct);
        var started = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("queued", started.GetProperty("status").GetString());
        Assert.False(started.GetProperty("already_started").GetBoolean());
        Assert.True(started.GetProperty("cache_config").GetProperty("enabled").GetBoolean());
        var runId = started.GetProperty("job_id").GetString()!;

        var live = await server.WaitForRunAsync(runId);
        Assert.Equal("completed", live.GetProperty("overall_status").GetString());
        Assert.Equal(100, live.GetProperty("overall_progress_percentage").GetInt32());
        Assert.Equal(2, live.GetProperty("completed_blocks").GetInt32());
        var validate = live.GetProperty("blocks")[1];
        Assert.Equal("completed", validate.GetProperty("status").GetString());
        Assert.Equal(9, validate.GetProperty("processed_count").GetInt64());
        Assert.Equal(["input"], validate.GetProperty("previous_block_ids").EnumerateArray().Select(e => e.GetString()));

        var links = await server.DownloadLinksAsync(runId);
        Assert.Equal(["1_input.csv", "2_validate.csv"], links.EnumerateArray().Select(l => l.GetProperty("filename").GetString()));
        var final = links[1];
        Assert.Equal(9, final.GetProperty("row_count").GetInt64());
        Assert.Equal(900, final.GetProperty("download_expires_in_seconds").GetInt32());
        Assert.Equal(9, final.GetProperty("results").GetArrayLength());
        var csv = await server.DownloadFinalAsync(runId);
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(10, lines.Length);
        Assert.StartsWith("name,email,email_status", lines[0], StringComparison.Ordinal);
        Assert.Contains(",invalid,", lines[1], StringComparison.Ordinal);
        Assert.Contains("Lead 8", lines[9], StringComparison.Ordinal);

        var ndjson = await server.DownloadFinalAsync(runId, "ndjson");
        var rows = ndjson.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(9, rows.Count);
        Assert.Equal(JsonValueKind.Null, rows[0].GetProperty("email_mx_found").ValueKind);
        Assert.Equal(JsonValueKind.False, rows[1].GetProperty("email_is_disposable").ValueKind);

        var runs = await server.Client.GetFromJsonAsync<JsonElement>($"/workflows/runs?workflow_id={workflow}", Ct);
        var run = Assert.Single(runs.EnumerateArray());
        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal(9, run.GetProperty("metrics").GetProperty("rows_in").GetInt64());
        Assert.Equal(9, run.GetProperty("metrics").GetProperty("rows_out").GetInt64());
        var workflowAfter = await server.Client.GetFromJsonAsync<JsonElement>($"/workflows/{workflow}", Ct);
        Assert.Equal("completed", workflowAfter.GetProperty("step").GetString());
        Assert.NotEqual(JsonValueKind.Null, workflowAfter.GetProperty("last_run_date").ValueKind);
    }

    [Fact]
    public async Task Rejects_are_listed_first_and_the_final_output_last()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.ReadCsvFilter);
        var csv = "name,score\nann,70\nbob,20\ncid,55\ndee,10\n";
        var handle = await server.UploadAsync("leads.csv", Encoding.UTF8.GetBytes(csv));
        var runId = await server.StartRunAsync(workflow, new { specs_override = new { resource_handle_id = handle } }, "&result_formats=json");
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());

        foreach (var format in new[] { "csv", "json" })
        {
            var links = await server.DownloadLinksAsync(runId, format);
            var names = links.EnumerateArray().Select(l => l.GetProperty("filename").GetString()).ToList();
            Assert.Equal([$"1_input.{format}", $"2_keep.{format}"], names);
            var withRejects = await server.Client.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}/results/download-links?format={format}&include_rejects=true", Ct);
            Assert.Equal(["rejects.ndjson", $"1_input.{format}", $"2_keep.{format}"], withRejects.EnumerateArray().Select(l => l.GetProperty("filename").GetString()));
        }

        var json = await server.DownloadFinalAsync(runId, "json");
        var kept = JsonDocument.Parse(json).RootElement.EnumerateArray().Select(r => r.GetProperty("name").GetString()).ToList();
        Assert.Equal(["ann", "cid"], kept);

        var rejectsLinks = await server.DownloadLinksAsync(runId, "rejects");
        Assert.Equal(1, rejectsLinks.GetArrayLength());
        var rejectsLink = rejectsLinks[0];
        using var anonymous = new HttpClient();
        var rejects = (await anonymous.GetStringAsync(rejectsLink.GetProperty("download_url").GetString(), Ct))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([1L, 3L], rejects.Select(r => r.GetProperty("row_index").GetInt64()));
        Assert.All(rejects, r => Assert.Equal("keep", r.GetProperty("block_id").GetString()));
        Assert.Equal("bob", rejects[0].GetProperty("row").GetProperty("name").GetString());
    }

    [Fact]
    public async Task An_edge_condition_drops_rows_into_rejects_naming_the_edge()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync("""
            {"blocks": [
              {"sequence_number": 1, "block_name": "webhook", "block_id": "input"},
              {"sequence_number": 2, "block_name": "validate_email", "block_id": "check", "specs": {"check_mx": false}},
              {"sequence_number": 3, "block_name": "remove_columns", "block_id": "tidy", "specs": {"columns": ["email_reason"]}}],
             "edges": [
              {"from_block_id": "input", "to_block_id": "check"},
              {"from_block_id": "check", "to_block_id": "tidy", "condition": "[email_status] = 'valid'"}]}
            """);
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = new object[] { new { email = "ok@example.com" }, new { email = "nope" } } });
        await server.WaitForRunAsync(runId);
        var links = await server.DownloadLinksAsync(runId, "rejects");
        Assert.Equal("rejects.ndjson", links[0].GetProperty("filename").GetString());
        var reject = JsonDocument.Parse(links[0].GetProperty("results")[0].GetRawText()).RootElement;
        Assert.Equal("check->tidy", reject.GetProperty("edge").GetString());
        Assert.Equal(1, reject.GetProperty("row_index").GetInt64());
        var final = links.EnumerateArray().Last();
        Assert.Equal(1, final.GetProperty("row_count").GetInt64());
        Assert.False(final.GetProperty("results")[0].TryGetProperty("email_reason", out _));
    }

    [Fact]
    public async Task Csv_output_guards_against_formula_injection_but_ndjson_keeps_values()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var runId = await server.StartRunAsync(workflow, new
        {
            webhook_payload = new object[] { new { a = "=HYPERLINK(\"x\")", b = "-12.5", c = "+1 (555) 010-0000", d = "@SUM(A1)", e = "-cmd" } },
        }, "&result_formats=ndjson");
        await server.WaitForRunAsync(runId);
        var csv = await server.DownloadFinalAsync(runId);
        Assert.Equal("\"'=HYPERLINK(\"\"x\"\")\",-12.5,+1 (555) 010-0000,'@SUM(A1),'-cmd", csv.Split('\n')[1].TrimEnd('\r'));
        var ndjson = await server.DownloadFinalAsync(runId, "ndjson");
        Assert.Contains("\"=HYPERLINK", ndjson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_idempotency_key_and_body_starts_nothing_new()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        async Task<HttpResponseMessage> Post(object body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/workflows/run?workflow_id={workflow}") { Content = JsonContent.Create(body) };
            request.Headers.Add("Idempotency-Key", "weekly-2026-48");
            return await server.Client.SendAsync(request, Ct);
        }

        var first = await (await Post(new { webhook_payload = new { a = 1 } })).Content.ReadFromJsonAsync<JsonElement>(Ct);
        var second = await (await Post(new { webhook_payload = new { a = 1 } })).Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(first.GetProperty("job_id").GetString(), second.GetProperty("job_id").GetString());
        Assert.True(second.GetProperty("already_started").GetBoolean());
        var conflict = await Post(new { webhook_payload = new { a = 2 } });
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        var runs = await server.Client.GetFromJsonAsync<JsonElement>("/workflows/runs", Ct);
        Assert.Single(runs.EnumerateArray());
    }

    [Fact]
    public async Task Download_links_are_signed_tamper_proof_and_support_ranges()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = new object[] { new { name = "abcdef" } } });
        await server.WaitForRunAsync(runId);
        var url = (await server.DownloadLinksAsync(runId)).EnumerateArray().Last().GetProperty("download_url").GetString()!;
        using var anonymous = new HttpClient();

        var full = await anonymous.GetAsync(url, Ct);
        Assert.Equal(HttpStatusCode.OK, full.StatusCode);
        Assert.Equal("name\nabcdef\n", await full.Content.ReadAsStringAsync(Ct));
        Assert.Equal(12, full.Content.Headers.ContentLength);

        using var range = new HttpRequestMessage(HttpMethod.Get, url);
        range.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(5, 10);
        var partial = await anonymous.SendAsync(range, Ct);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal("abcdef", await partial.Content.ReadAsStringAsync(Ct));

        var token = url[(url.LastIndexOf('/') + 1)..];
        var tampered = url[..(url.Length - token.Length)] + (token[0] == 'A' ? 'B' : 'A') + token[1..];
        var forbidden = await anonymous.GetAsync(tampered, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Contains("invalid or has expired", (await forbidden.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.GetAsync(url + "x", Ct)).StatusCode);
    }

    [Fact]
    public async Task An_expired_download_link_is_403()
    {
        // Links are checked on a clock of the test's own, which stands still until moved.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await TestServer.StartAsync(
            new Dictionary<string, string?> { ["Downloads:ExpirySeconds"] = "1" },
            services: s => s.AddSingleton(sp => new DownloadSigner(sp.GetRequiredService<ServerSecret>().Bytes, clock)));
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = new { a = 1 } });
        await server.WaitForRunAsync(runId);
        var url = (await server.DownloadLinksAsync(runId)).EnumerateArray().Last().GetProperty("download_url").GetString()!;
        using var anonymous = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(url, Ct)).StatusCode);

        // 2.1 s after the link was signed (it was good for 1 s).
        clock.SetUtcNow(DateTimeOffset.UtcNow + TimeSpan.FromSeconds(2.1));
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.GetAsync(url, Ct)).StatusCode);
    }

    [Fact]
    public async Task Cancel_of_a_completed_run_keeps_its_status()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = new { a = 1 } });
        await server.WaitForRunAsync(runId);
        var response = await server.Client.PostAsJsonAsync($"/workflows/cancel?job_id={runId}", new { }, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("completed", body.GetProperty("status").GetString());
        Assert.Equal(runId, body.GetProperty("job_id").GetString());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("501")]
    [InlineData("ten")]
    public async Task A_limit_outside_1_to_500_is_400(string limit)
    {
        await using var server = await TestServer.StartAsync();
        var response = await server.Client.GetAsync($"/workflows/runs?limit={limit}", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("limit", (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_organizations_run_is_404_everywhere()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = new { a = 1 } });
        await server.WaitForRunAsync(runId);
        using var other = server.NewClient(await server.CreateKeyAsync("acme"));
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/workflows/runs/{runId}/live_status", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/workflows/runs/{runId}/results/download-links", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync($"/workflows/cancel?job_id={runId}", null, Ct)).StatusCode);
        Assert.Empty((await other.GetFromJsonAsync<JsonElement>("/workflows/runs", Ct)).EnumerateArray());
    }

    [Fact]
    public async Task Rows_of_different_shapes_across_chunks_share_one_csv_header()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Engine:ChunkSize"] = "2" });
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var runId = await server.StartRunAsync(workflow, new
        {
            webhook_payload = new object[] { new { a = 1 }, new { a = 2 }, new { b = "x,y" }, new { a = 4, b = "z" }, new { c = true } },
        }, "&result_formats=ndjson");
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());

        var csv = (await server.DownloadFinalAsync(runId)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["a,b,c", "1,,", "2,,", ",\"x,y\",", "4,z,", ",,true"], csv);
        var ndjson = (await server.DownloadFinalAsync(runId, "ndjson")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["{\"a\":1}", "{\"a\":2}", "{\"b\":\"x,y\"}", "{\"a\":4,\"b\":\"z\"}", "{\"c\":true}"], ndjson);
    }

    [Fact]
    public async Task Ndjson_and_json_results_write_plus_apostrophes_and_non_ascii_as_themselves()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var runId = await server.StartRunAsync(workflow,
            new { webhook_payload = new[] { new { name = "Zoë O'Neil", phone = "+1 555 0100", quote = "say \"hi\"", tags = new[] { "Ärzte+Co" } } } },
            "&result_formats=ndjson&result_formats=json");
        await server.WaitForRunAsync(runId);

        foreach (var format in new[] { "ndjson", "json" })
        {
            var text = await server.DownloadFinalAsync(runId, format);
            Assert.Contains("Zoë O'Neil", text, StringComparison.Ordinal);
            Assert.Contains("+1 555 0100", text, StringComparison.Ordinal);
            Assert.Contains("Ärzte+Co", text, StringComparison.Ordinal);
            Assert.Contains("\\\"hi\\\"", text, StringComparison.Ordinal);
            var row = format == "json" ? JsonDocument.Parse(text).RootElement[0] : JsonDocument.Parse(text.Trim()).RootElement;
            Assert.Equal("say \"hi\"", row.GetProperty("quote").GetString());
        }

        var csv = await server.DownloadFinalAsync(runId);
        Assert.Contains("Ärzte+Co", csv, StringComparison.Ordinal);
    }
}

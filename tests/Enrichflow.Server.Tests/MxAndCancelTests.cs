using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests;

/// <summary>validate_email against a real DNS server on loopback, and cancelling a run that waits on it.</summary>
public sealed class MxAndCancelTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string CheckMx = """
        {"blocks": [
          {"sequence_number": 1, "block_name": "webhook", "block_id": "input"},
          {"sequence_number": 2, "block_name": "validate_email", "block_id": "check", "specs": {"email_field": "email", "check_mx": true}}],
         "edges": [{"from_block_id": "input", "to_block_id": "check"}]}
        """;

    [Fact]
    public async Task Mx_lookups_go_to_the_configured_name_server_and_are_cached_per_domain()
    {
        using var dns = TestDnsServer.Start();
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Email:NameServers:0"] = dns.Address });
        var workflow = await server.CreateWorkflowAsync(CheckMx);
        var leads = new object[]
        {
            new { email = "ada@acme.example.test" },
            new { email = "bob@acme.example.test" },
            new { email = "eve@nxdomain.example.test" },
            new { email = "joe@nullmx.example.test" },
        };

        var runId = await server.StartRunAsync(workflow, new { webhook_payload = leads }, "&result_formats=ndjson");
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());
        var rows = (await server.DownloadFinalAsync(runId, "ndjson")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).ToList();

        Assert.Equal(["valid", "valid", "invalid", "invalid"], rows.Select(r => r.GetProperty("email_status").GetString()));
        Assert.Equal(["ok", "ok", "no_mx", "null_mx"], rows.Select(r => r.GetProperty("email_reason").GetString()));
        Assert.True(rows[0].GetProperty("email_mx_found").GetBoolean());

        // acme.example.test was asked once for both leads, and not again by a second run.
        var afterFirst = dns.Queries;
        var second = await server.StartRunAsync(workflow, new { webhook_payload = new[] { new { email = "cid@acme.example.test" } } });
        await server.WaitForRunAsync(second);
        Assert.Equal(afterFirst, dns.Queries);
    }

    [Fact]
    public async Task Cancel_stops_a_running_run_within_two_seconds_and_keeps_finished_files()
    {
        using var dns = TestDnsServer.Start();
        dns.Delay = TimeSpan.FromMilliseconds(200);
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Email:NameServers:0"] = dns.Address,
            ["Email:DnsTimeoutMs"] = "5000",
            ["Engine:ChunkSize"] = "50",
        });
        var workflow = await server.CreateWorkflowAsync(CheckMx);
        // Every lead has its own domain, so every chunk waits on DNS: the run would take minutes.
        var leads = Enumerable.Range(0, 20_000).Select(i => new { email = $"lead{i}@d{i}.example.test" }).ToArray();
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = leads });

        JsonElement live;
        do
        {
            await Task.Delay(100, Ct);
            live = await server.Client.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}/live_status", Ct);
        }
        // Cancelled once the source has cut every chunk (its file is then complete) and validation is under way.
        while (live.GetProperty("blocks")[1].GetProperty("processed_count").GetInt64() < 100
            || live.GetProperty("blocks")[0].GetProperty("status").GetString() != "completed");

        var cancel = await server.Client.PostAsJsonAsync($"/workflows/cancel?job_id={runId}", new { }, Ct);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("cancelled", (await cancel.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("status").GetString());

        await Task.Delay(2000, Ct);
        var atTwoSeconds = await server.Client.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}/live_status", Ct);
        await Task.Delay(1500, Ct);
        var later = await server.Client.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}/live_status", Ct);

        Assert.Equal("cancelled", later.GetProperty("overall_status").GetString());
        var processed = atTwoSeconds.GetProperty("blocks")[1].GetProperty("processed_count").GetInt64();
        Assert.Equal(processed, later.GetProperty("blocks")[1].GetProperty("processed_count").GetInt64());
        Assert.True(processed < leads.Length, "the run finished before it was cancelled");

        // The source had finished: its file is complete. The validation block's file holds the chunks it finished.
        var links = await server.DownloadLinksAsync(runId);
        var files = links.EnumerateArray().ToDictionary(l => l.GetProperty("filename").GetString()!);
        Assert.Equal(leads.Length, files["1_input.csv"].GetProperty("row_count").GetInt64());
        var partial = files["2_check.csv"];
        Assert.Equal(processed, partial.GetProperty("row_count").GetInt64());
        Assert.Contains("Partial results", partial.GetProperty("message").GetString(), StringComparison.Ordinal);
        using var anonymous = new HttpClient();
        var csv = await anonymous.GetStringAsync(partial.GetProperty("download_url").GetString(), Ct);
        Assert.Equal(processed + 1, csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }
}

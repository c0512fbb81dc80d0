using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Enrichflow.Providers.Outbound;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.Execution;
using Enrichflow.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Enrichflow.Server.Tests.Webhooks;

/// <summary>What a receiver gets when a run with an <c>outgoing_webhook</c> block ends (docs/api.md §6).</summary>
public sealed class OutgoingWebhookTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_completed_run_sends_one_signed_event_with_its_results_and_links_that_download()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await TestServer.StartAsync(WebhookFlows.Settings());
        var secret = await WebhookFlows.CreateSecretAsync(server);

        var (runId, live) = await WebhookFlows.RunAsync(server, WebhookFlows.Definition(new { url = receiver.Url, include_rows = true }), rows: 3);
        Assert.Equal("completed", live.GetProperty("overall_status").GetString());
        var deliveries = await WebhookFlows.WaitForDeliveriesAsync(server, runId);

        var delivery = Assert.Single(receiver.Received);
        Assert.True(delivery.VerifiesWith(secret), "the signature verifies with the org's secret");
        Assert.Single(delivery.Header(WebhookSignature.HeaderName)!.Split(','), p => p.StartsWith("v1=", StringComparison.Ordinal));
        Assert.Equal("run.completed", delivery.Header("Sixtyfour-Event-Type"));
        Assert.Equal(1, delivery.Attempt);
        Assert.StartsWith("application/json", delivery.Header("Content-Type"), StringComparison.Ordinal);

        var body = delivery.Json;
        Assert.Equal(
            ["event_id", "event_type", "run_id", "workflow_id", "status", "row_count", "results", "rows", "sent_at"],
            body.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(delivery.EventId, body.GetProperty("event_id").GetString());
        Assert.Equal("run.completed", body.GetProperty("event_type").GetString());
        Assert.Equal(runId, body.GetProperty("run_id").GetString());
        Assert.Equal(live.GetProperty("workflow_id").GetString(), body.GetProperty("workflow_id").GetString());
        Assert.Equal("completed", body.GetProperty("status").GetString());
        Assert.Equal(3, body.GetProperty("row_count").GetInt64());
        Assert.EndsWith("Z", body.GetProperty("sent_at").GetString(), StringComparison.Ordinal);
        Assert.Equal(["Lead 1", "Lead 2", "Lead 3"], body.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("name").GetString()).ToArray());

        var results = body.GetProperty("results").EnumerateArray().ToList();
        Assert.Contains(results, r => r.GetProperty("block_id").GetString() == "notify" && r.GetProperty("row_count").GetInt64() == 3);
        using var anonymous = new HttpClient();
        foreach (var result in results)
        {
            var response = await anonymous.GetAsync(result.GetProperty("download_url").GetString(), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            if (result.GetProperty("block_id").GetString() == "notify" && result.GetProperty("filename").GetString()!.EndsWith(".csv", StringComparison.Ordinal))
            {
                Assert.Contains("Lead 3", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
            }
        }

        var shown = Assert.Single(deliveries.EnumerateArray());
        Assert.Equal(delivery.EventId, shown.GetProperty("event_id").GetString());
        Assert.Equal("delivered", shown.GetProperty("status").GetString());
        Assert.Equal(receiver.BaseUrl + "/hooks/enrichflow", shown.GetProperty("url").GetString());
        var attempt = Assert.Single(shown.GetProperty("attempts").EnumerateArray());
        Assert.Equal(200, attempt.GetProperty("status_code").GetInt32());
    }

    [Fact]
    public async Task A_rolled_secret_signs_beside_the_new_one_with_two_v1_values()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await TestServer.StartAsync(WebhookFlows.Settings());
        var old = await WebhookFlows.CreateSecretAsync(server);
        var rolled = await server.Client.PostAsync("/webhooks/signing-secret/roll",
            new StringContent("""{"expire_overlap_hours": 24}""", System.Text.Encoding.UTF8, "application/json"), Ct);
        var fresh = JsonDocument.Parse(await rolled.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("plaintext").GetString()!;

        var (runId, _) = await WebhookFlows.RunAsync(server, WebhookFlows.Definition(new { url = receiver.Url }));
        await WebhookFlows.WaitForDeliveriesAsync(server, runId);

        var delivery = Assert.Single(receiver.Received);
        Assert.Equal(2, delivery.Header(WebhookSignature.HeaderName)!.Split(',').Count(p => p.StartsWith("v1=", StringComparison.Ordinal)));
        Assert.True(delivery.VerifiesWith(old), "the rolled secret still verifies during the overlap");
        Assert.True(delivery.VerifiesWith(fresh), "the new secret verifies");
        Assert.False(delivery.VerifiesWith("sk_whsec_" + new string('0', 64)), "another secret does not verify");
    }

    [Fact]
    public async Task Without_a_signing_secret_the_event_is_sent_unsigned_and_without_rows()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await TestServer.StartAsync(WebhookFlows.Settings());

        var (runId, _) = await WebhookFlows.RunAsync(server, WebhookFlows.Definition(new { url = receiver.Url }));
        await WebhookFlows.WaitForDeliveriesAsync(server, runId);

        var delivery = Assert.Single(receiver.Received);
        Assert.Null(delivery.Header(WebhookSignature.HeaderName));
        Assert.False(delivery.Json.TryGetProperty("rows", out _));
        Assert.Equal(3, delivery.Json.GetProperty("row_count").GetInt64());
    }

    [Fact]
    public async Task Event_links_start_with_server_public_base_url_when_the_webhooks_own_is_not_set()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await TestServer.StartAsync(WebhookFlows.Settings(new Dictionary<string, string?> { ["Server:PublicBaseUrl"] = "https://enrich.example.com" }));

        var (runId, _) = await WebhookFlows.RunAsync(server, WebhookFlows.Definition(new { url = receiver.Url }));
        await WebhookFlows.WaitForDeliveriesAsync(server, runId);

        var results = Assert.Single(receiver.Received).Json.GetProperty("results");
        Assert.NotEqual(0, results.GetArrayLength());
        Assert.All(results.EnumerateArray(), r => Assert.StartsWith("https://enrich.example.com/downloads/", r.GetProperty("download_url").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Include_rows_as_a_number_sends_at_most_that_many_rows()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await TestServer.StartAsync(WebhookFlows.Settings());

        var (runId, _) = await WebhookFlows.RunAsync(server, WebhookFlows.Definition(new { url = receiver.Url, include_rows = 2 }), rows: 5, query: "&result_formats=ndjson");
        await WebhookFlows.WaitForDeliveriesAsync(server, runId);

        var body = Assert.Single(receiver.Received).Json;
        Assert.Equal(5, body.GetProperty("row_count").GetInt64());
        Assert.Equal(["lead1@example.com", "lead2@example.com"], body.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("email").GetString()).ToArray());
    }

    [Fact]
    public async Task Event_types_leave_out_the_ends_they_do_not_list()
    {
        await using var onlyFailures = await WebhookReceiver.StartAsync();
        await using var always = await WebhookReceiver.StartAsync();
        await using var server = await TestServer.StartAsync(WebhookFlows.Settings());

        var (runId, _) = await WebhookFlows.RunAsync(server, WebhookFlows.Definition(
            ("on_failure", new { url = onlyFailures.Url, event_types = new[] { "run.failed", "run.cancelled" } }),
            ("on_any_end", new { url = always.Url })));
        var deliveries = await WebhookFlows.WaitForDeliveriesAsync(server, runId);

        Assert.Equal("on_any_end", Assert.Single(deliveries.EnumerateArray()).GetProperty("block_id").GetString());
        Assert.Single(always.Received);
        await Task.Delay(300, Ct);
        Assert.Empty(onlyFailures.Received);
    }

    [Fact]
    public async Task Being_told_twice_of_the_same_run_end_records_and_sends_one_delivery()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await TestServer.StartAsync(WebhookFlows.Settings());
        var (runId, _) = await WebhookFlows.RunAsync(server, WebhookFlows.Definition(new { url = receiver.Url }));
        await WebhookFlows.WaitForDeliveriesAsync(server, runId);

        var run = (await server.Services.GetRequiredService<IRunStore>().GetRunAsync(Guid.Parse(runId), Ct))!;
        var (plan, _) = server.Services.GetRequiredService<RunPlans>().Compile(run);
        foreach (var listener in server.Services.GetServices<IRunEndListener>())
        {
            await listener.OnRunEndedAsync(run, plan, Ct);
        }

        await Task.Delay(500, Ct);
        Assert.Single(await server.Services.GetRequiredService<IWebhookDeliveryStore>().ListRunDeliveriesAsync(run.Id, Ct));
        Assert.Single(receiver.Received);
    }

    [Fact]
    public async Task A_failed_run_sends_a_run_failed_event_with_its_partial_results()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await TestServer.StartAsync(WebhookFlows.Settings(new Dictionary<string, string?> { ["Engine:ChunkSize"] = "2" }));
        var workflow = await server.CreateWorkflowAsync($$$"""
            {"blocks": [
              {"sequence_number": 1, "block_name": "read_csv", "block_id": "input", "specs": {"strict": true}},
              {"sequence_number": 2, "block_name": "outgoing_webhook", "block_id": "notify", "specs": {"url": "{{{receiver.Url}}}"}}],
             "edges": [{"from_block_id": "input", "to_block_id": "notify"}]}
            """);
        var handle = await server.UploadAsync("leads.csv", System.Text.Encoding.UTF8.GetBytes("name,email\na,a@x.com\nb,b@x.com\nc,c@x.com,extra\n"));
        var runId = await server.StartRunAsync(workflow, new { specs_override = new { resource_handle_id = handle } });
        Assert.Equal("failed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());

        var shown = Assert.Single((await WebhookFlows.WaitForDeliveriesAsync(server, runId)).EnumerateArray());
        Assert.Equal("delivered", shown.GetProperty("status").GetString());
        var delivery = Assert.Single(receiver.Received);
        Assert.Equal("run.failed", delivery.Header("Sixtyfour-Event-Type"));
        Assert.Equal("failed", delivery.Json.GetProperty("status").GetString());
        Assert.Contains(delivery.Json.GetProperty("results").EnumerateArray(), r => r.GetProperty("filename").GetString() == "1_input.csv");
    }

    [Fact]
    public async Task A_cancelled_run_sends_a_run_cancelled_event()
    {
        using var dns = TestDnsServer.Start();
        dns.Delay = TimeSpan.FromMilliseconds(200);
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await TestServer.StartAsync(WebhookFlows.Settings(new Dictionary<string, string?>
        {
            ["Email:NameServers:0"] = dns.Address,
            ["Engine:ChunkSize"] = "20",
        }));
        var workflow = await server.CreateWorkflowAsync($$$"""
            {"blocks": [
              {"sequence_number": 1, "block_name": "webhook", "block_id": "input"},
              {"sequence_number": 2, "block_name": "validate_email", "block_id": "check", "specs": {"check_mx": true}},
              {"sequence_number": 3, "block_name": "outgoing_webhook", "block_id": "notify", "specs": {"url": "{{{receiver.Url}}}"}}],
             "edges": [{"from_block_id": "input", "to_block_id": "check"}, {"from_block_id": "check", "to_block_id": "notify"}]}
            """);
        // Every lead has its own domain, so the run waits on DNS long enough to be cancelled.
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = Enumerable.Range(0, 2_000).Select(i => new { email = $"l{i}@d{i}.example.test" }).ToArray() });
        await server.WaitForStatusAsync(runId, null, "running");
        var cancel = await server.Client.PostAsync($"/workflows/cancel?job_id={runId}", null, Ct);
        Assert.Equal("cancelled", (await cancel.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("status").GetString());

        var shown = Assert.Single((await WebhookFlows.WaitForDeliveriesAsync(server, runId)).EnumerateArray());
        Assert.Equal("delivered", shown.GetProperty("status").GetString());
        var delivery = Assert.Single(receiver.Received);
        Assert.Equal("run.cancelled", delivery.Header("Sixtyfour-Event-Type"));
        Assert.Equal("cancelled", delivery.Json.GetProperty("status").GetString());
    }
}

using System.Net.Http.Json;
using System.Text.Json;
using Enrichflow.Fakes;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Enrichment;

/// <summary>
/// Issue 11, item 12 through a real server: a provider's slots are shared between organizations first, so an
/// organization's number of runs does not buy it a bigger share.
/// </summary>
public sealed class FairShareTests
{

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_organization_with_one_small_run_gets_half_the_providers_slots_while_another_has_three_runs_waiting()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions { LatencyMin = TimeSpan.FromMilliseconds(150), LatencyMax = TimeSpan.FromMilliseconds(150) }, Ct);
        var settings = new Dictionary<string, string?>(fake.ProviderConfiguration("s64", "sixtyfour"), StringComparer.OrdinalIgnoreCase)
        {
            ["Engine:ChunkSize"] = "10",
            ["Providers:s64:MaxConcurrency"] = "2",
            ["Providers:s64:UseAsyncJobs"] = "false",
        };
        await using var server = await TestServer.StartAsync(settings);
        using var heavy = server.NewClient(await server.CreateKeyAsync("org-heavy"));
        using var light = server.NewClient(await server.CreateKeyAsync("org-light"));
        var heavyWorkflow = await server.CreateWorkflowAsync(Definitions.WebhookEnrichCompany, client: heavy);
        var lightWorkflow = await server.CreateWorkflowAsync(Definitions.WebhookEnrichCompany, client: light);

        var heavyRuns = new List<string>();
        for (var r = 0; r < 3; r++)
        {
            heavyRuns.Add(await StartAsync(heavy, heavyWorkflow, Companies(20, from: r * 100)));
        }

        await WaitForCallsAsync(fake, 4);
        var small = await StartAsync(light, lightWorkflow, Companies(10, from: 1000));

        // Round robin between runs gave org-light one turn in four (about 44 calls when its 10 were done); between
        // organizations it has every other turn (about 24).
        Assert.Equal("completed", await WaitForEndAsync(light, small));
        var callsWhenSmallEnded = fake.TotalCalls;
        Assert.True(callsWhenSmallEnded < 35, $"org-light's run ended only after {callsWhenSmallEnded} calls of 70: it had less than half the slots");
        foreach (var run in heavyRuns)
        {
            Assert.Equal("completed", await WaitForEndAsync(heavy, run));
        }

        Assert.Equal(70, fake.TotalCalls);
        Assert.True(fake.MaxInFlight <= 2, $"{fake.MaxInFlight} calls were in flight at once; MaxConcurrency is 2");
    }

    private static object[] Companies(int count, int from) =>
        [.. Enumerable.Range(from, count).Select(i => new { name = $"Company {i}", website = $"https://c{i}.example" })];

    private static async Task<string> StartAsync(HttpClient client, string workflowId, object[] rows)
    {
        var response = await client.PostAsJsonAsync($"/workflows/run?workflow_id={workflowId}", new { webhook_payload = rows }, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, $"run answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("job_id").GetString()!;
    }

    private static async Task<string> WaitForEndAsync(HttpClient client, string runId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            var live = await client.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}/live_status", Ct);
            var status = live.GetProperty("overall_status").GetString()!;
            if (status is "completed" or "failed" or "cancelled")
            {
                return status;
            }

            Assert.True(DateTime.UtcNow < deadline, $"run {runId} did not end in time; last status {live}");
            await Task.Delay(50, Ct);
        }
    }

    private static async Task WaitForCallsAsync(FakeProviderServer fake, int calls)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (fake.TotalCalls < calls)
        {
            Assert.True(DateTime.UtcNow < deadline, "org-heavy's runs made no calls");
            await Task.Delay(20, Ct);
        }
    }
}

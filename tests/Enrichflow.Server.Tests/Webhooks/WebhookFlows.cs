using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Webhooks;

/// <summary>Servers, workflows and waits the webhook tests share.</summary>
internal static class WebhookFlows
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Settings that allow loopback receivers and retry quickly; <paramref name="extra"/> overrides any of them.</summary>
    public static Dictionary<string, string?> Settings(IDictionary<string, string?>? extra = null, bool allowLoopback = true)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Webhooks:InitialBackoff"] = "00:00:00.100",
            ["Webhooks:MaxBackoff"] = "00:00:00.400",
            ["Webhooks:PollInterval"] = "00:00:00.200",
        };
        if (allowLoopback)
        {
            settings["Outbound:Allow:0"] = "127.0.0.1/32";
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>webhook source → outgoing_webhook (id <c>notify</c>) with the given specs.</summary>
    public static string Definition(object specs) => Definition(("notify", specs));

    /// <summary>webhook source → one outgoing_webhook after the other, each with its id and specs.</summary>
    public static string Definition(params (string Id, object Specs)[] hooks)
    {
        var blocks = new JsonArray
        {
            new JsonObject { ["sequence_number"] = 1, ["block_type"] = "webhook", ["block_name"] = "webhook", ["block_id"] = "input", ["specs"] = new JsonObject() },
        };
        var edges = new JsonArray();
        var previous = "input";
        for (var i = 0; i < hooks.Length; i++)
        {
            blocks.Add(new JsonObject
            {
                ["sequence_number"] = i + 2,
                ["block_type"] = "outgoing_webhook",
                ["block_name"] = "outgoing_webhook",
                ["block_id"] = hooks[i].Id,
                ["specs"] = JsonSerializer.SerializeToNode(hooks[i].Specs),
            });
            edges.Add(new JsonObject { ["from_block_id"] = previous, ["to_block_id"] = hooks[i].Id });
            previous = hooks[i].Id;
        }

        return new JsonObject { ["blocks"] = blocks, ["edges"] = edges }.ToJsonString();
    }

    public static object[] Leads(int count) =>
        [.. Enumerable.Range(1, count).Select(i => new { name = $"Lead {i}", email = $"lead{i}@example.com" })];

    /// <summary>Creates the workflow, runs it over <paramref name="rows"/> leads and waits for the run to end.</summary>
    public static async Task<(string RunId, JsonElement Live)> RunAsync(TestServer server, string definition, int rows = 3, string query = "")
    {
        var workflow = await server.CreateWorkflowAsync(definition);
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = Leads(rows) }, query);
        return (runId, await server.WaitForRunAsync(runId));
    }

    public static async Task<string> CreateSecretAsync(TestServer server)
    {
        var response = await server.Client.PostAsync("/webhooks/signing-secret", null, Ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("plaintext").GetString()!;
    }

    public static async Task<JsonElement> LiveStatusAsync(TestServer server, string runId) =>
        await server.Client.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}/live_status", Ct);

    /// <summary>Polls live status until every webhook delivery of the run has ended (delivered or failed); returns them.</summary>
    public static async Task<JsonElement> WaitForDeliveriesAsync(TestServer server, string runId, int count = 1, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var deliveries = (await LiveStatusAsync(server, runId)).GetProperty("webhook_deliveries");
            if (deliveries.GetArrayLength() >= count && deliveries.EnumerateArray().All(d => d.GetProperty("status").GetString() != "pending"))
            {
                return deliveries.Clone();
            }

            Assert.True(DateTime.UtcNow < deadline, $"the deliveries of run {runId} did not end in time: {deliveries}");
            await Task.Delay(50, Ct);
        }
    }
}

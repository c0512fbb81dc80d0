using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests;

/// <summary>Deletion is permanent (docs/api.md §2): the id is free again, and old runs keep what they ran as.</summary>
public sealed class WorkflowDeletionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_deleted_workflows_id_is_free_and_its_old_runs_keep_their_name()
    {
        await using var server = await TestServer.StartAsync();
        await CreateAsync(server, "weekly", "Old name", Definitions.WebhookValidate);
        await server.Client.PostAsJsonAsync("/workflows/update_workflow?workflow_id=weekly",
            new { workflow_definition = JsonDocument.Parse(Definitions.WebhookValidate).RootElement }, Ct);
        var oldRun = await server.StartRunAsync("weekly", new { webhook_payload = new { email = "ada@example.com" } });
        await server.WaitForRunAsync(oldRun);

        var deleted = await server.Client.PostAsync("/workflows/delete_workflow?workflow_id=weekly", null, Ct);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        var body = await deleted.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(("deleted", "deleted", "weekly", "Old name"),
            (body.GetProperty("status").GetString(), body.GetProperty("step").GetString(), body.GetProperty("id").GetString(), body.GetProperty("name").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/workflows/weekly", Ct)).StatusCode);
        Assert.Empty((await server.Client.GetFromJsonAsync<JsonElement>("/workflows", Ct)).EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.PostAsync("/workflows/delete_workflow?workflow_id=weekly", null, Ct)).StatusCode);

        // The same id again: a new workflow, its version history from 1.
        var created = await CreateAsync(server, "weekly", "New name", Definitions.WebhookOnly);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var fresh = await created.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal((1, "draft", "New name"), (fresh.GetProperty("version").GetInt32(), fresh.GetProperty("step").GetString(), fresh.GetProperty("name").GetString()));
        var newRun = await server.StartRunAsync("weekly", new { webhook_payload = new { a = 1 } });
        await server.WaitForRunAsync(newRun);

        // The old run still reads, under the name and version it ran with; its results are still there.
        var old = await server.Client.GetFromJsonAsync<JsonElement>($"/workflows/runs/{oldRun}", Ct);
        Assert.Equal(("Old name", 2, "completed"), (old.GetProperty("workflow_name").GetString(), old.GetProperty("workflow_version").GetInt32(), old.GetProperty("status").GetString()));
        var runs = (await server.Client.GetFromJsonAsync<JsonElement>("/workflows/runs?workflow_id=weekly", Ct)).EnumerateArray()
            .ToDictionary(r => r.GetProperty("job_id").GetString()!, r => r.GetProperty("workflow_name").GetString());
        Assert.Equal(new Dictionary<string, string?> { [oldRun] = "Old name", [newRun] = "New name" }, runs);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync($"/workflows/runs/{oldRun}/live_status", Ct)).StatusCode);
        Assert.Contains("ada@example.com", await server.DownloadFinalAsync(oldRun), StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> CreateAsync(TestServer server, string id, string name, string definition) =>
        await server.Client.PostAsJsonAsync("/workflows/create_workflow", new JsonObject
        {
            ["id"] = id,
            ["workflow_name"] = name,
            ["workflow_definition"] = JsonNode.Parse(definition),
        }, Ct);
}

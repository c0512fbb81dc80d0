using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests;

/// <summary>Notebooks: org-level persistent tables filled by runs and used to skip what earlier runs saw.</summary>
public sealed class NotebookTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static object[] Leads(int from, int count) =>
        [.. Enumerable.Range(from, count).Select(i => new { email = $"lead{i}@example.com", name = $"Lead {i}" })];

    private static string AppendNew(string name) => $$$"""
        {"blocks": [
          {"sequence_number": 1, "block_name": "webhook", "block_id": "input"},
          {"sequence_number": 2, "block_name": "append_to_notebook", "block_id": "remember",
           "specs": {"notebook_id": "__create_new__", "notebook_name": "{{{name}}}", "key_fields": ["email"]}}],
         "edges": [{"from_block_id": "input", "to_block_id": "remember"}]}
        """;

    private static string Weekly(string notebookId) => $$$"""
        {"blocks": [
          {"sequence_number": 1, "block_name": "webhook", "block_id": "input"},
          {"sequence_number": 2, "block_name": "deduplicate_wrt_notebook", "block_id": "new_only", "specs": {"notebook_id": "{{{notebookId}}}"}},
          {"sequence_number": 3, "block_name": "append_to_notebook", "block_id": "remember", "specs": {"notebook_id": "{{{notebookId}}}"}}],
         "edges": [{"from_block_id": "input", "to_block_id": "new_only"}, {"from_block_id": "new_only", "to_block_id": "remember"}]}
        """;

    private static async Task<JsonElement> NotebookNamedAsync(TestServer server, string name) =>
        (await server.Client.GetFromJsonAsync<JsonElement>("/notebooks", Ct)).EnumerateArray().Single(n => n.GetProperty("name").GetString() == name);

    [Fact]
    public async Task A_recurring_run_passes_on_only_the_records_the_notebook_has_not_seen()
    {
        await using var server = await TestServer.StartAsync();
        var first = await server.CreateWorkflowAsync(AppendNew("seen leads"));
        var run1 = await server.StartRunAsync(first, new { webhook_payload = Leads(0, 10_000) });
        Assert.Equal("completed", (await server.WaitForRunAsync(run1)).GetProperty("overall_status").GetString());
        var notebook = await NotebookNamedAsync(server, "seen leads");
        Assert.Equal(10_000, notebook.GetProperty("row_count").GetInt64());
        Assert.Equal(["email"], notebook.GetProperty("key_fields").EnumerateArray().Select(k => k.GetString()));
        var notebookId = notebook.GetProperty("id").GetString()!;

        var weekly = await server.CreateWorkflowAsync(Weekly(notebookId));
        var run2 = await server.StartRunAsync(weekly, new { webhook_payload = Leads(0, 12_000) });
        Assert.Equal("completed", (await server.WaitForRunAsync(run2)).GetProperty("overall_status").GetString());
        var links = await server.DownloadLinksAsync(run2);
        var passed = links.EnumerateArray().Single(l => l.GetProperty("filename").GetString() == "2_new_only.csv");
        Assert.Equal(2_000, passed.GetProperty("row_count").GetInt64());
        Assert.Equal(12_000, (await server.Client.GetFromJsonAsync<JsonElement>($"/notebooks/{notebookId}", Ct)).GetProperty("row_count").GetInt64());

        // A third run over the same 12,000 passes nothing on.
        var run3 = await server.StartRunAsync(weekly, new { webhook_payload = Leads(0, 12_000) });
        await server.WaitForRunAsync(run3);
        var third = (await server.DownloadLinksAsync(run3)).EnumerateArray().Single(l => l.GetProperty("filename").GetString() == "2_new_only.csv");
        Assert.Equal(0, third.GetProperty("row_count").GetInt64());
    }

    [Fact]
    public async Task Two_runs_appending_the_same_keys_at_once_leave_each_key_once()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Engine:ChunkSize"] = "100", ["Engine:Workers"] = "4" });
        var seed = await server.CreateWorkflowAsync(AppendNew("shared"));
        await server.WaitForRunAsync(await server.StartRunAsync(seed, new { webhook_payload = Leads(0, 1) }));
        var notebookId = (await NotebookNamedAsync(server, "shared")).GetProperty("id").GetString()!;
        var append = await server.CreateWorkflowAsync($$$"""
            {"blocks": [
              {"sequence_number": 1, "block_name": "webhook", "block_id": "input"},
              {"sequence_number": 2, "block_name": "append_to_notebook", "block_id": "remember", "specs": {"notebook_id": "{{{notebookId}}}"}}],
             "edges": [{"from_block_id": "input", "to_block_id": "remember"}]}
            """);

        var a = await server.StartRunAsync(append, new { webhook_payload = Leads(0, 3_000) });
        var b = await server.StartRunAsync(append, new { webhook_payload = Leads(1_000, 3_000) });
        await server.WaitForRunAsync(a);
        await server.WaitForRunAsync(b);

        Assert.Equal(4_000, (await server.Client.GetFromJsonAsync<JsonElement>($"/notebooks/{notebookId}", Ct)).GetProperty("row_count").GetInt64());
        var url = (await server.Client.GetFromJsonAsync<JsonElement>($"/notebooks/{notebookId}/download-links?format=ndjson", Ct))[0].GetProperty("download_url").GetString();
        using var anonymous = new HttpClient();
        var emails = (await anonymous.GetStringAsync(url, Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("email").GetString()).ToList();
        Assert.Equal(4_000, emails.Count);
        Assert.Equal(4_000, emails.Distinct().Count());
    }

    [Fact]
    public async Task A_notebook_survives_its_workflow_is_read_back_and_is_private_to_its_organization()
    {
        await using var server = await TestServer.StartAsync();
        var filler = await server.CreateWorkflowAsync(AppendNew("kept"), "filler");
        await server.WaitForRunAsync(await server.StartRunAsync(filler, new { webhook_payload = Leads(0, 25) }));
        Assert.Equal(HttpStatusCode.OK, (await server.Client.PostAsync("/workflows/delete_workflow?workflow_id=filler", null, Ct)).StatusCode);
        var notebookId = (await NotebookNamedAsync(server, "kept")).GetProperty("id").GetString()!;

        var reader = await server.CreateWorkflowAsync($$$"""
            {"blocks": [{"sequence_number": 1, "block_name": "read_notebook", "block_id": "nb", "specs": {"notebook_id": "{{{notebookId}}}"}}], "edges": []}
            """);
        var run = await server.StartRunAsync(reader, new { });
        Assert.Equal("completed", (await server.WaitForRunAsync(run)).GetProperty("overall_status").GetString());
        var csv = (await server.DownloadFinalAsync(run)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(26, csv.Length);
        Assert.Equal("lead0@example.com,Lead 0", csv[1]);

        using var other = server.NewClient(await server.CreateKeyAsync("acme"));
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/notebooks/{notebookId}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/notebooks/{notebookId}/download-links", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/notebooks/{notebookId}", Ct)).StatusCode);
        Assert.Empty((await other.GetFromJsonAsync<JsonElement>("/notebooks", Ct)).EnumerateArray());

        Assert.Equal(HttpStatusCode.NoContent, (await server.Client.DeleteAsync($"/notebooks/{notebookId}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync($"/notebooks/{notebookId}", Ct)).StatusCode);
    }

    [Fact]
    public async Task A_run_naming_another_organizations_notebook_is_a_404_and_queues_nothing()
    {
        await using var server = await TestServer.StartAsync();
        var filler = await server.CreateWorkflowAsync(AppendNew("private"));
        await server.WaitForRunAsync(await server.StartRunAsync(filler, new { webhook_payload = Leads(0, 3) }));
        var notebookId = (await NotebookNamedAsync(server, "private")).GetProperty("id").GetString()!;

        using var other = server.NewClient(await server.CreateKeyAsync("acme"));
        var workflow = await server.CreateWorkflowAsync(Weekly(notebookId), client: other);
        var response = await other.PostAsJsonAsync($"/workflows/run?workflow_id={workflow}", new { webhook_payload = Leads(0, 3) }, Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal($"Notebook '{notebookId}' (block 'new_only') not found", (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString());
        Assert.Empty((await other.GetFromJsonAsync<JsonElement>("/workflows/runs", Ct)).EnumerateArray());
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests;

/// <summary><c>merge</c> (union) through the API.</summary>
public sealed class MergeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Branches = """
        {"blocks": [
          {"sequence_number": 1, "block_name": "webhook", "block_id": "input"},
          {"sequence_number": 2, "block_name": "filter", "block_id": "small", "specs": {"expression": "[n] < 5"}},
          {"sequence_number": 3, "block_name": "transform", "block_id": "tagged", "specs": {"operations": [{"op": "set", "column": "tag", "value": "even"}]}},
          {"sequence_number": 4, "block_name": "merge", "block_id": "both", "specs": {"mode": "union"}},
          {"sequence_number": 5, "block_name": "transform", "block_id": "after", "specs": {"operations": [{"op": "set", "column": "merged", "value": "yes"}]}}],
         "edges": [
          {"from_block_id": "input", "to_block_id": "small"},
          {"from_block_id": "input", "to_block_id": "tagged", "condition": "[n] % 2 = 0"},
          {"from_block_id": "small", "to_block_id": "both"},
          {"from_block_id": "tagged", "to_block_id": "both"},
          {"from_block_id": "both", "to_block_id": "after"}]}
        """;

    [Fact]
    public async Task Union_passes_the_first_inputs_rows_then_the_seconds_with_columns_unioned()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Engine:ChunkSize"] = "3" });
        var workflow = await server.CreateWorkflowAsync(Branches);
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = Enumerable.Range(0, 10).Select(n => new { n }).ToArray() }, "&result_formats=ndjson");
        var live = await server.WaitForRunAsync(runId);
        Assert.Equal("completed", live.GetProperty("overall_status").GetString());
        Assert.Equal(100, live.GetProperty("overall_progress_percentage").GetInt32());

        var rows = (await server.DownloadFinalAsync(runId, "ndjson")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([0, 1, 2, 3, 4, 0, 2, 4, 6, 8], rows.Select(r => r.GetProperty("n").GetInt32()));
        Assert.All(rows, r => Assert.Equal("yes", r.GetProperty("merged").GetString()));
        Assert.False(rows[0].TryGetProperty("tag", out _));
        Assert.Equal("even", rows[5].GetProperty("tag").GetString());

        var csv = (await server.DownloadFinalAsync(runId)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("n,merged,tag", csv[0]);
        Assert.Equal("0,yes,", csv[1]);
        Assert.Equal("8,yes,even", csv[10]);
        var links = await server.DownloadLinksAsync(runId, includeRejects: true);
        Assert.Equal(10, links.EnumerateArray().Single(l => l.GetProperty("filename").GetString() == "4_both.csv").GetProperty("row_count").GetInt64());
    }

    [Fact]
    public async Task A_merge_with_one_input_or_an_unknown_mode_is_a_400()
    {
        await using var server = await TestServer.StartAsync();
        var oneInput = await server.Client.PostAsJsonAsync("/workflows/validate", new
        {
            workflow_definition = JsonDocument.Parse("""
                {"blocks": [
                  {"sequence_number": 1, "block_name": "webhook", "block_id": "input"},
                  {"sequence_number": 2, "block_name": "merge", "block_id": "both", "specs": {"mode": "union"}}],
                 "edges": [{"from_block_id": "input", "to_block_id": "both"}]}
                """).RootElement,
        }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, oneInput.StatusCode);
        Assert.Contains("needs 2 or more inputs", (await oneInput.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors")[0].GetProperty("msg").GetString(), StringComparison.Ordinal);

        var badMode = await server.Client.PostAsJsonAsync("/workflows/validate", new
        {
            workflow_definition = JsonDocument.Parse(Branches.Replace("\"mode\": \"union\"", "\"mode\": \"zip\"", StringComparison.Ordinal)).RootElement,
        }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badMode.StatusCode);
        Assert.Contains("mode must be 'union' or 'join' (got 'zip')", (await badMode.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors")[0].GetProperty("msg").GetString(), StringComparison.Ordinal);
    }

    private static string Join(string type) => $$$"""
        {"blocks": [
          {"sequence_number": 1, "block_name": "webhook", "block_id": "input"},
          {"sequence_number": 2, "block_name": "filter", "block_id": "leads", "specs": {"expression": "[kind] = 'lead'"}},
          {"sequence_number": 3, "block_name": "filter", "block_id": "companies", "specs": {"expression": "[kind] = 'company'"}},
          {"sequence_number": 4, "block_name": "remove_columns", "block_id": "facts", "specs": {"columns": ["kind", "name"]}},
          {"sequence_number": 5, "block_name": "merge", "block_id": "joined", "specs": {"mode": "join", "join_key": {"left": "domain", "right": "domain"}, "join_type": "{{{type}}}"}}],
         "edges": [
          {"from_block_id": "input", "to_block_id": "leads"},
          {"from_block_id": "input", "to_block_id": "companies"},
          {"from_block_id": "companies", "to_block_id": "facts"},
          {"from_block_id": "leads", "to_block_id": "joined"},
          {"from_block_id": "facts", "to_block_id": "joined"}]}
        """;

    private static readonly object[] People =
    [
        new { kind = "lead", name = "Ada", domain = "acme.com" },
        new { kind = "company", name = "Acme", domain = "ACME.com ", industry = "rockets" },
        new { kind = "lead", name = "Bob", domain = "nowhere.io" },
        new { kind = "company", name = "Globex", domain = "globex.com", industry = "energy" },
        new { kind = "lead", name = "Cid", domain = "globex.com" },
        new { kind = "company", name = "Acme copy", domain = "acme.com", industry = "ignored" },
        new { kind = "lead", name = "Dee", domain = "acme.com" },
    ];

    [Theory]
    [InlineData("left", new[] { "Ada:rockets", "Ada:ignored", "Bob:", "Cid:energy", "Dee:rockets", "Dee:ignored" })]
    [InlineData("inner", new[] { "Ada:rockets", "Ada:ignored", "Cid:energy", "Dee:rockets", "Dee:ignored" })]
    public async Task Join_gives_one_row_per_match_in_the_first_inputs_order(string type, string[] expected)
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Engine:ChunkSize"] = "2" });
        var workflow = await server.CreateWorkflowAsync(Join(type));
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = People }, "&result_formats=ndjson");
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());

        var rows = (await server.DownloadFinalAsync(runId, "ndjson")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Select(r => $"{r.GetProperty("name").GetString()}:{(r.TryGetProperty("industry", out var i) ? i.GetString() : "")}").ToList();
        Assert.Equal(expected, rows);
        if (type == "inner")
        {
            var reject = (await server.DownloadLinksAsync(runId, includeRejects: true))[0].GetProperty("results").EnumerateArray()
                .Single(r => r.GetProperty("block_id").GetString() == "joined");
            Assert.Contains("no row of the second input has domain = 'nowhere.io'", reject.GetProperty("reason").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_join_without_a_key_on_one_side_is_a_400_naming_it()
    {
        await using var server = await TestServer.StartAsync();
        var response = await server.Client.PostAsJsonAsync("/workflows/validate", new
        {
            workflow_definition = JsonDocument.Parse(Join("left").Replace("\"right\": \"domain\"", "\"right\": \"\"", StringComparison.Ordinal)).RootElement,
        }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = Assert.Single((await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").EnumerateArray());
        Assert.Contains("join_key.right", error.GetProperty("msg").GetString(), StringComparison.Ordinal);
    }
}

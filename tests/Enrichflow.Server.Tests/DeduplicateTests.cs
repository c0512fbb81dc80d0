using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests;

/// <summary><c>deduplicate</c> through the API: deterministic across chunks, keys in the store, rejects explained.</summary>
public sealed class DeduplicateTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Definition(string specs) => $$"""
        {"blocks": [
          {"sequence_number": 1, "block_name": "webhook", "block_id": "input"},
          {"sequence_number": 2, "block_name": "deduplicate", "block_id": "dedupe", "specs": {{specs}}}],
         "edges": [{"from_block_id": "input", "to_block_id": "dedupe"}]}
        """;

    private static readonly object[] Leads =
    [
        new { email = "Ada@Example.com", n = 0 },
        new { email = "grace@example.com", n = 1 },
        new { email = " ada@example.com ", n = 2 },
        new { email = "alan@example.com", n = 3 },
        new { email = "grace@example.com", n = 4 },
        new { email = "ada@example.com", n = 5 },
        new { email = "edsger@example.com", n = 6 },
    ];

    [Theory]
    [InlineData("first", new[] { 0, 1, 3, 6 })]
    [InlineData("last", new[] { 3, 4, 5, 6 })]
    public async Task Keeps_the_first_or_last_occurrence_across_chunks_and_explains_each_drop(string keep, int[] kept)
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Engine:ChunkSize"] = "2" });
        var workflow = await server.CreateWorkflowAsync(Definition($$"""{"key_fields": ["email"], "keep": "{{keep}}"}"""));
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = Leads }, "&result_formats=ndjson");
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());

        var rows = (await server.DownloadFinalAsync(runId, "ndjson")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("n").GetInt32()).ToList();
        Assert.Equal(kept, rows);

        var links = await server.DownloadLinksAsync(runId, includeRejects: true);
        var rejects = links[0].GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(Leads.Length - kept.Length, rejects.Count);
        foreach (var reject in rejects)
        {
            Assert.Equal("dedupe", reject.GetProperty("block_id").GetString());
            var keptIndex = reject.GetProperty("kept_row_index").GetInt64();
            Assert.Contains((int)keptIndex, kept);
            Assert.Equal(reject.GetProperty("row").GetProperty("email").GetString()!.Trim().ToLowerInvariant(), reject.GetProperty("key").GetString());
            Assert.Contains($"duplicate of row {keptIndex}", reject.GetProperty("reason").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_same_input_keeps_the_same_rows_whatever_the_chunk_size()
    {
        var leads = Enumerable.Range(0, 2_000).Select(i => new { email = $"lead{i % 700}@example.com", n = i }).ToArray();
        var outputs = new List<string>();
        foreach (var chunkSize in new[] { "7", "1000" })
        {
            await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Engine:ChunkSize"] = chunkSize, ["Engine:Workers"] = "4" });
            var workflow = await server.CreateWorkflowAsync(Definition("""{"key_fields": ["email"]}"""));
            var runId = await server.StartRunAsync(workflow, new { webhook_payload = leads });
            Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());
            outputs.Add(await server.DownloadFinalAsync(runId));
        }

        Assert.Equal(outputs[0], outputs[1]);
        Assert.Equal(701, outputs[0].Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Without_key_fields_every_column_is_the_key()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definition("{}"));
        var runId = await server.StartRunAsync(workflow, new
        {
            webhook_payload = new object[] { new { a = "x", b = 1 }, new { b = 1, a = "X " }, new { a = "x", b = 2 } },
        });
        await server.WaitForRunAsync(runId);
        var csv = (await server.DownloadFinalAsync(runId)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["a,b", "x,1", "x,2"], csv);
    }

    [Fact]
    public async Task A_key_column_missing_from_rows_rejects_them_with_that_reason()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definition("""{"key_fields": ["domain"]}"""));
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = new object[] { new { email = "a@x.com" }, new { domain = "x.com" } } });
        await server.WaitForRunAsync(runId);
        var links = await server.DownloadLinksAsync(runId, includeRejects: true);
        var reject = Assert.Single(links[0].GetProperty("results").EnumerateArray());
        Assert.Equal("deduplicate: key column 'domain' is missing", reject.GetProperty("reason").GetString());
        Assert.Equal(1, links.EnumerateArray().Last().GetProperty("row_count").GetInt64());
    }

    [Fact]
    public async Task A_key_column_missing_from_the_declared_schema_is_a_400()
    {
        await using var server = await TestServer.StartAsync();
        var response = await server.Client.PostAsJsonAsync("/workflows/validate", new
        {
            workflow_definition = JsonDocument.Parse("""
                {"blocks": [
                  {"sequence_number": 1, "block_name": "webhook", "block_id": "input", "specs": {"input_schema": {"email": {"type": "str"}}}},
                  {"sequence_number": 2, "block_name": "deduplicate", "block_id": "dedupe", "specs": {"key_fields": ["domain"]}}],
                 "edges": [{"from_block_id": "input", "to_block_id": "dedupe"}]}
                """).RootElement,
        }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var messages = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("msg").GetString()).ToList();
        Assert.Contains(messages, m => m!.Contains("'domain'", StringComparison.Ordinal) && m.Contains("'dedupe'", StringComparison.Ordinal));

        var badKeep = await server.Client.PostAsJsonAsync("/workflows/validate",
            new { workflow_definition = JsonDocument.Parse(Definition("""{"keep": "middle"}""")).RootElement }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badKeep.StatusCode);
        var error = Assert.Single((await badKeep.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").EnumerateArray());
        Assert.Contains("keep must be 'first' or 'last' (got 'middle')", error.GetProperty("msg").GetString(), StringComparison.Ordinal);
        Assert.Equal("keep", error.GetProperty("loc").EnumerateArray().Last().GetString());
    }
}

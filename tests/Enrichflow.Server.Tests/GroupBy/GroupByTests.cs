using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.GroupBy;

/// <summary><c>group_by</c> through the API: one row per group in first-seen order, the same whatever the chunks, rejects explained.</summary>
public sealed class GroupByTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Definition(string specs) => $$"""
        {"blocks": [
          {"sequence_number": 1, "block_name": "webhook", "block_id": "input"},
          {"sequence_number": 2, "block_name": "group_by", "block_id": "groups", "specs": {{specs}}}],
         "edges": [{"from_block_id": "input", "to_block_id": "groups"}]}
        """;

    private const string AllOps = """
        {"group_by": ["company"], "aggregations": [
          {"op": "count"},
          {"column": "email", "op": "count", "as": "emails"},
          {"column": "title", "op": "count_distinct"},
          {"column": "score", "op": "sum"},
          {"column": "score", "op": "avg"},
          {"column": "score", "op": "min"},
          {"column": "score", "op": "max"},
          {"column": "email", "op": "first"},
          {"column": "email", "op": "last"},
          {"column": "title", "op": "list", "as": "titles"},
          {"column": "name", "op": "concat", "as": "names", "separator": "|"}]}
        """;

    private static readonly object[] Leads =
    [
        new { company = "Globex", name = "Ada", email = "ada@globex.com", title = "CEO", score = 3 },
        new { company = "Acme", name = "Grace", email = "", title = "CTO", score = 10 },
        new { company = "Globex", name = "Alan", email = "alan@globex.com", title = "CEO", score = 4 },
        new { company = "Initech", name = "Edsger", email = "edsger@initech.com", title = "Engineer", score = 7 },
        new { company = "Acme", name = "Barbara", email = "barbara@acme.com", title = "Engineer", score = 2 },
        new { company = "Globex", name = "Donald", email = "donald@globex.com", title = "CTO", score = 11 },
    ];

    [Fact]
    public async Task Groups_come_out_in_first_seen_order_with_every_aggregation_across_chunks()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Engine:ChunkSize"] = "2", ["Engine:Workers"] = "3" });
        var workflow = await server.CreateWorkflowAsync(Definition(AllOps));
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = Leads }, "&result_formats=ndjson");
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());

        var rows = (await server.DownloadFinalAsync(runId, "ndjson")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["Globex", "Acme", "Initech"], rows.Select(r => r.GetProperty("company").GetString()));
        var globex = rows[0];
        Assert.Equal(
            ["company", "count", "emails", "title_count_distinct", "score_sum", "score_avg", "score_min", "score_max", "email_first", "email_last", "titles", "names"],
            globex.EnumerateObject().Select(p => p.Name));
        Assert.Equal(3, globex.GetProperty("count").GetInt64());
        Assert.Equal(3, globex.GetProperty("emails").GetInt64());
        Assert.Equal(2, globex.GetProperty("title_count_distinct").GetInt64());
        Assert.Equal(18, globex.GetProperty("score_sum").GetInt64());
        Assert.Equal(6.0, globex.GetProperty("score_avg").GetDouble());
        Assert.Equal(3, globex.GetProperty("score_min").GetInt64());
        Assert.Equal(11, globex.GetProperty("score_max").GetInt64());
        Assert.Equal("ada@globex.com", globex.GetProperty("email_first").GetString());
        Assert.Equal("donald@globex.com", globex.GetProperty("email_last").GetString());
        Assert.Equal(["CEO", "CEO", "CTO"], globex.GetProperty("titles").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("Ada|Alan|Donald", globex.GetProperty("names").GetString());

        var acme = rows[1];
        Assert.Equal(1, acme.GetProperty("emails").GetInt64()); // the empty email is not counted
        Assert.Equal("barbara@acme.com", acme.GetProperty("email_first").GetString()); // first non-empty value
        Assert.Equal(1, rows[2].GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task The_same_input_gives_the_same_groups_whatever_the_chunk_size_and_workers()
    {
        var leads = Enumerable.Range(0, 3_000).Select(i => new { domain = $"d{(i * 7919) % 450}.com", country = i % 3 == 0 ? "US" : "DE", n = i }).ToArray();
        const string specs = """
            {"group_by": ["domain", "country"], "aggregations": [
              {"op": "count"}, {"column": "n", "op": "sum"}, {"column": "n", "op": "first"}, {"column": "n", "op": "last"},
              {"column": "n", "op": "list"}, {"column": "n", "op": "count_distinct"}]}
            """;
        var outputs = new List<string>();
        foreach (var (chunkSize, workers) in new[] { ("7", "4"), ("1000", "1") })
        {
            await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Engine:ChunkSize"] = chunkSize, ["Engine:Workers"] = workers });
            var workflow = await server.CreateWorkflowAsync(Definition(specs));
            var runId = await server.StartRunAsync(workflow, new { webhook_payload = leads });
            Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());
            outputs.Add(await server.DownloadFinalAsync(runId));
        }

        Assert.Equal(outputs[0], outputs[1]);
        var lines = outputs[0].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var expected = leads.GroupBy(l => (l.domain, l.country)).ToList();
        Assert.Equal(expected.Count + 1, lines.Length);
        Assert.Equal("domain,country,count,n_sum,n_first,n_last,n_list,n_count_distinct", lines[0]);
        var first = expected[0].ToList();
        Assert.StartsWith($"{first[0].domain},{first[0].country},{first.Count},{first.Sum(l => l.n)},{first[0].n},{first[^1].n},", lines[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("1")] // the first chunk holds only the row without the column: still a reject, not a failed run
    public async Task Rows_lacking_a_group_column_are_rejected_with_that_reason_and_the_spill_is_removed(string? chunkSize)
    {
        await using var server = await TestServer.StartAsync(chunkSize is null ? null : new Dictionary<string, string?> { ["Engine:ChunkSize"] = chunkSize });
        var workflow = await server.CreateWorkflowAsync(Definition("""{"group_by": ["domain"]}"""));
        var runId = await server.StartRunAsync(workflow, new
        {
            webhook_payload = new object[] { new { email = "a@x.com" }, new { domain = "x.com" }, new { domain = "x.com" } },
        });
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());
        var links = await server.DownloadLinksAsync(runId, includeRejects: true);
        var reject = Assert.Single(links[0].GetProperty("results").EnumerateArray());
        Assert.Equal("group_by: column 'domain' is missing", reject.GetProperty("reason").GetString());
        Assert.Equal(0, reject.GetProperty("row_index").GetInt64());
        Assert.Equal(["domain,count", "x.com,2"], (await server.DownloadFinalAsync(runId)).Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var spill = Path.Combine(server.DataDirectory, "blobs", "runs", Guid.Parse(runId).ToString("N"), "blocks", "groups");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Directory.Exists(spill) && Directory.EnumerateFiles(spill, "*", SearchOption.AllDirectories).Any() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, Ct);
        }

        Assert.False(Directory.Exists(spill) && Directory.EnumerateFiles(spill, "*", SearchOption.AllDirectories).Any(), "the group_by spill outlived its run");
    }

    [Fact]
    public async Task Bad_specs_are_a_400_naming_the_block_and_the_field()
    {
        await using var server = await TestServer.StartAsync();
        var response = await server.Client.PostAsJsonAsync("/workflows/validate", new
        {
            workflow_definition = JsonDocument.Parse(Definition("""
                {"group_by": [], "aggregations": [{"column": "a", "op": "median"}, {"op": "sum"}, {"column": "a", "op": "max", "as": "x"}, {"column": "b", "op": "min", "as": "x"}]}
                """)).RootElement,
        }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").EnumerateArray()
            .ToDictionary(e => string.Join('/', e.GetProperty("loc").EnumerateArray().Skip(5).Select(l => l.ToString())), e => e.GetProperty("msg").GetString()!);
        Assert.Contains("group_by must name at least one column", errors["group_by"], StringComparison.Ordinal);
        Assert.Contains("Block 'groups': aggregations[0].op must be one of count, count_distinct", errors["aggregations/0/op"], StringComparison.Ordinal);
        Assert.Contains("(got 'median')", errors["aggregations/0/op"], StringComparison.Ordinal);
        Assert.Contains("aggregations[1] (sum) needs a column", errors["aggregations/1/column"], StringComparison.Ordinal);
        Assert.Contains("writes column 'x'", errors["aggregations/3/as"], StringComparison.Ordinal);

        var missing = await server.Client.PostAsJsonAsync("/workflows/validate", new
        {
            workflow_definition = JsonDocument.Parse("""
                {"blocks": [
                  {"sequence_number": 1, "block_name": "webhook", "block_id": "input", "specs": {"input_schema": {"email": {"type": "str"}}}},
                  {"sequence_number": 2, "block_name": "group_by", "block_id": "groups", "specs": {"group_by": ["domain"]}}],
                 "edges": [{"from_block_id": "input", "to_block_id": "groups"}]}
                """).RootElement,
        }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        var messages = (await missing.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("msg").GetString()).ToList();
        Assert.Contains(messages, m => m!.Contains("'domain'", StringComparison.Ordinal) && m.Contains("'groups'", StringComparison.Ordinal));
    }
}

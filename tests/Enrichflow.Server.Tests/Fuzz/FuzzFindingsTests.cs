using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Fuzz;

/// <summary>What the fuzz suite found, each pinned by name with the answer it must give now (docs/api.md §1).</summary>
public sealed class FuzzFindingsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_cycle_behind_an_edge_into_the_source_is_a_400_that_walks_the_cycle()
    {
        await using var server = await TestServer.StartAsync();
        // b3 -> src closes src -> b8 -> b3 -> src; b4 hangs off the cycle and leads nowhere (a walk forwards from it
        // found no next block and the server answered 500).
        var definition = """
            {"blocks": [
              {"sequence_number": 0, "block_name": "webhook", "block_id": "src", "specs": {}},
              {"sequence_number": 1, "block_name": "transform", "block_id": "b8", "specs": {"operations": [{"op": "trim", "column": "name"}]}},
              {"sequence_number": 2, "block_name": "filter", "block_id": "b3", "specs": {"expression": "true"}},
              {"sequence_number": 3, "block_name": "remove_columns", "block_id": "b4", "specs": {"columns": ["x"]}}],
             "edges": [{"from_block_id": "src", "to_block_id": "b8"}, {"from_block_id": "b8", "to_block_id": "b3"},
                       {"from_block_id": "b3", "to_block_id": "b4"}, {"from_block_id": "b3", "to_block_id": "src"}]}
            """;
        var response = await server.Client.PostAsJsonAsync("/workflows/validate", new { workflow_definition = JsonDocument.Parse(definition).RootElement }, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("The edges form a cycle: src -> b8 -> b3 -> src.", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("read_csv")]
    [InlineData("webhook")]
    public async Task An_input_schema_column_described_by_null_is_a_400_naming_it(string source)
    {
        await using var server = await TestServer.StartAsync();
        var definition = """
            {"blocks": [{"sequence_number": 1, "block_name": "SOURCE", "block_id": "src", "specs": {"input_schema": {"email": null, "name": {"required": true}}}}]}
            """.Replace("SOURCE", source, StringComparison.Ordinal);
        var response = await server.Client.PostAsJsonAsync("/workflows/validate", new { workflow_definition = JsonDocument.Parse(definition).RootElement }, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("input_schema of block 'src': column 'email' must be described by an object", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rows_whose_column_names_a_csv_header_cannot_tell_apart_still_assemble_their_csv()
    {
        // A column named by a byte-order mark alone and one named "": a CSV reader drops a leading BOM, so the
        // header of the first chunk's file says '' twice. Chunks with different columns are joined under the union
        // of their headers, which Sep refused to read ("Col name '' found 2 times").
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Engine:ChunkSize"] = "1" });
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        using var content = new StringContent("{\"webhook_payload\": [{\"\\ufeff\": \"bom\", \"\": \"empty\", \"email\": \"a@example.com\"}, {\"email\": \"b@example.com\", \"city\": \"Berlin\"}]}", Encoding.UTF8, "application/json");
        var response = await server.Client.PostAsync($"/workflows/run?workflow_id={workflow}", content, Ct);
        var run = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("job_id").GetString()!;
        var end = await server.WaitForRunAsync(run);
        Assert.Equal("completed", end.GetProperty("overall_status").GetString());
        var lines = (await server.DownloadFinalAsync(run)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Contains("a@example.com", lines[1], StringComparison.Ordinal);
        Assert.Contains("Berlin", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lone_surrogate_escape_in_an_ndjson_upload_rejects_its_line_and_keeps_the_others()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.ReadCsvOnly);
        var handle = await server.UploadAsync("leads.ndjson", Encoding.UTF8.GetBytes("{\"email\": \"a@example.com\"}\n{\"email\": \"\\ud800\"}\n{\"email\": \"c@example.com\"}\n"));
        var run = await server.StartRunAsync(workflow, new { specs_override = new { resource_handle_id = handle } }, "&result_formats=ndjson");
        var end = await server.WaitForRunAsync(run);
        Assert.Equal("completed", end.GetProperty("overall_status").GetString());
        var rows = (await server.DownloadFinalAsync(run, "ndjson")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["a@example.com", "c@example.com"], rows.Select(r => JsonDocument.Parse(r).RootElement.GetProperty("email").GetString()));
        var rejects = (await server.DownloadLinksAsync(run, "rejects")).EnumerateArray().Single(l => l.GetProperty("filename").GetString() == "rejects.ndjson");
        var reject = Assert.Single(rejects.GetProperty("results").EnumerateArray());
        Assert.Equal(2, reject.GetProperty("line").GetInt32());
        Assert.Contains("half a surrogate pair", reject.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains("\\ud800", reject.GetProperty("row").GetProperty("raw").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lone_surrogate_escape_in_a_webhook_payload_rejects_its_row_and_keeps_the_others()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        using var content = new StringContent("{\"webhook_payload\": [{\"email\": \"a@example.com\"}, {\"name\": \"\\udfff\"}, {\"email\": \"c@example.com\"}]}", Encoding.UTF8, "application/json");
        var response = await server.Client.PostAsync($"/workflows/run?workflow_id={workflow}&result_formats=ndjson", content, Ct);
        var run = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("job_id").GetString()!;
        var end = await server.WaitForRunAsync(run);
        Assert.Equal("completed", end.GetProperty("overall_status").GetString());
        var rows = (await server.DownloadFinalAsync(run, "ndjson")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["a@example.com", "c@example.com"], rows.Select(r => JsonDocument.Parse(r).RootElement.GetProperty("email").GetString()));
        var rejects = (await server.DownloadLinksAsync(run, "rejects")).EnumerateArray().Single(l => l.GetProperty("filename").GetString() == "rejects.ndjson");
        var reject = Assert.Single(rejects.GetProperty("results").EnumerateArray());
        Assert.Equal(1, reject.GetProperty("row_index").GetInt32());
        Assert.Equal("element 1 is not valid UTF-8 JSON text", reject.GetProperty("reason").GetString());
    }
}

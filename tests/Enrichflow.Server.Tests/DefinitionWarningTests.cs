using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests;

/// <summary>Create, update and validate answer what is likely not meant as <c>warnings</c>, and the definition still saves (docs/api.md §2.1).</summary>
public sealed class DefinitionWarningTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string WithUnknownSpec = """
        {"blocks": [
          {"sequence_number": 1, "block_name": "webhook", "block_id": "input", "specs": {}},
          {"sequence_number": 2, "block_name": "transform", "block_id": "t", "specs": {"operations": [{"op": "rename", "column": "org", "to": "company", "tooo": "x"}]}}],
         "edges": [{"from_block_id": "input", "to_block_id": "t"}]}
        """;

    private static void AssertTheWarning(JsonElement body)
    {
        var warning = Assert.Single(body.GetProperty("warnings").EnumerateArray());
        Assert.Equal("unknown spec 'tooo' of block 't' (did you mean 'to'?)", warning.GetProperty("msg").GetString());
        Assert.Equal(["body", "workflow_definition", "blocks", "1", "specs", "operations", "0", "tooo"], warning.GetProperty("loc").EnumerateArray().Select(l => l.ToString()));
    }

    [Fact]
    public async Task Validate_answers_valid_with_the_warnings()
    {
        await using var server = await TestServer.StartAsync();
        var response = await server.Client.PostAsJsonAsync("/workflows/validate", new { workflow_definition = JsonNode.Parse(WithUnknownSpec) }, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(body.GetProperty("valid").GetBoolean());
        AssertTheWarning(body);

        var clean = await server.Client.PostAsJsonAsync("/workflows/validate", new { workflow_definition = JsonNode.Parse(Definitions.WebhookValidate) }, Ct);
        Assert.Equal(0, (await clean.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("warnings").GetArrayLength());
    }

    [Fact]
    public async Task Create_and_update_save_the_workflow_and_add_the_warnings_only_when_there_are_any()
    {
        await using var server = await TestServer.StartAsync();
        var created = await server.Client.PostAsJsonAsync("/workflows/create_workflow",
            new { workflow_name = "w", workflow_description = "", workflow_definition = JsonNode.Parse(WithUnknownSpec) }, Ct);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>(Ct);
        AssertTheWarning(body);
        var id = body.GetProperty("id").GetString();
        Assert.Equal("draft", body.GetProperty("step").GetString());

        var updated = await server.Client.PostAsJsonAsync($"/workflows/update_workflow?workflow_id={id}", new { workflow_definition = JsonNode.Parse(WithUnknownSpec) }, Ct);
        AssertTheWarning(await updated.Content.ReadFromJsonAsync<JsonElement>(Ct));

        var renamed = await server.Client.PostAsJsonAsync($"/workflows/update_workflow?workflow_id={id}", new { workflow_name = "renamed" }, Ct);
        Assert.False((await renamed.Content.ReadFromJsonAsync<JsonElement>(Ct)).TryGetProperty("warnings", out _));

        var fetched = await server.Client.GetFromJsonAsync<JsonElement>($"/workflows/{id}", Ct);
        Assert.False(fetched.TryGetProperty("warnings", out _));

        var clean = await server.Client.PostAsJsonAsync("/workflows/create_workflow",
            new { workflow_name = "w", workflow_description = "", workflow_definition = JsonNode.Parse(Definitions.WebhookValidate) }, Ct);
        Assert.False((await clean.Content.ReadFromJsonAsync<JsonElement>(Ct)).TryGetProperty("warnings", out _));
    }

    [Fact]
    public async Task A_return_field_named_like_a_known_column_warns_that_overwrite_decides()
    {
        await using var server = await TestServer.StartAsync();
        var response = await server.Client.PostAsJsonAsync("/workflows/validate", new
        {
            workflow_definition = JsonNode.Parse("""
                {"blocks": [
                  {"sequence_number": 1, "block_name": "webhook", "block_id": "input", "specs": {"input_schema": {"full_name": {"type": "str"}, "title": {"type": "str"}}}},
                  {"sequence_number": 2, "block_name": "lead_enrichment", "block_id": "enrich", "specs": {"name_field": "full_name", "return_fields": {"title": "Job title", "seniority": "Seniority"}}}],
                 "edges": [{"from_block_id": "input", "to_block_id": "enrich"}]}
                """),
        }, Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        var warning = Assert.Single(body.GetProperty("warnings").EnumerateArray());
        Assert.Contains("return field 'title' is already a column", warning.GetProperty("msg").GetString(), StringComparison.Ordinal);
        Assert.Contains("'overwrite'", warning.GetProperty("msg").GetString(), StringComparison.Ordinal);
        Assert.Equal("return_fields.title", string.Join('.', warning.GetProperty("loc").EnumerateArray().Select(l => l.ToString()).TakeLast(2)));
    }
}

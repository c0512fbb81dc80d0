using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests;

public sealed class DefinitionValidationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ValidateAsync(TestServer server, string definition)
    {
        var response = await server.Client.PostAsJsonAsync("/workflows/validate", new { workflow_definition = JsonDocument.Parse(definition).RootElement }, Ct);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(Ct));
    }

    private static List<string> Messages(JsonElement body) =>
        [.. body.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("msg").GetString()!)];

    [Fact]
    public async Task A_valid_definition_validates()
    {
        await using var server = await TestServer.StartAsync();
        var (status, body) = await ValidateAsync(server, Definitions.WebhookValidate);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body.GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task Every_problem_is_listed_at_once_with_its_location()
    {
        await using var server = await TestServer.StartAsync();
        var (status, body) = await ValidateAsync(server, """
            {"blocks": [
              {"sequence_number": 1, "block_name": "webhook", "block_id": "input"},
              {"sequence_number": 2, "block_name": "read_csv", "block_id": "second_source"},
              {"sequence_number": 3, "block_name": "teleport", "block_type": "magic", "block_id": "unknown"},
              {"sequence_number": 4, "block_name": "remove_columns", "block_id": "drop", "specs": {}}],
             "edges": [
              {"from_block_id": "input", "to_block_id": "drop"},
              {"from_block_id": "input", "to_block_id": "nowhere"}]}
            """);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var messages = Messages(body);
        Assert.Contains(messages, m => m.Contains("2 source blocks", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("unknown block", StringComparison.Ordinal) && m.Contains("teleport", StringComparison.Ordinal) && m.Contains("validate_email", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("'nowhere'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("columns", StringComparison.Ordinal));
        var locs = body.GetProperty("errors").EnumerateArray().Select(e => string.Join('.', e.GetProperty("loc").EnumerateArray().Select(l => l.ToString()))).ToList();
        Assert.Contains("body.workflow_definition.edges.1.to_block_id", locs);
        Assert.Contains(locs, l => l.StartsWith("body.workflow_definition.blocks.3.specs", StringComparison.Ordinal));
        Assert.StartsWith("Invalid workflow definition", body.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("has space")]
    [InlineData("ümlaut")]
    public async Task A_block_id_outside_the_id_pattern_is_a_400_naming_it_on_validate_create_and_update(string blockId)
    {
        await using var server = await TestServer.StartAsync();
        var definition = """
            {"blocks": [
              {"sequence_number": 1, "block_name": "webhook", "block_id": "input"},
              {"sequence_number": 2, "block_name": "remove_columns", "block_id": "BLOCK_ID", "specs": {"columns": ["a"]}}],
             "edges": [{"from_block_id": "input", "to_block_id": "BLOCK_ID"}]}
            """.Replace("BLOCK_ID", blockId, StringComparison.Ordinal);
        var (status, body) = await ValidateAsync(server, definition);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = Assert.Single(body.GetProperty("errors").EnumerateArray(), e => e.GetProperty("msg").GetString()!.Contains("is not valid", StringComparison.Ordinal));
        Assert.Equal($"Block id '{blockId}' is not valid: use 1 to 128 characters of letters, digits, '_', '.' and '-'.", error.GetProperty("msg").GetString());
        Assert.Equal("body.workflow_definition.blocks.1.block_id", string.Join('.', error.GetProperty("loc").EnumerateArray().Select(l => l.ToString())));

        var create = await server.Client.PostAsJsonAsync("/workflows/create_workflow",
            new { workflow_name = "ids", workflow_description = "", workflow_definition = JsonDocument.Parse(definition).RootElement }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, create.StatusCode);
        var update = await server.Client.PostAsJsonAsync("/workflows/update_workflow?workflow_id=ids",
            new { workflow_definition = JsonDocument.Parse(definition).RootElement }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, update.StatusCode);
        Assert.Contains("is not valid", await update.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cycle_is_named_block_by_block()
    {
        await using var server = await TestServer.StartAsync();
        var (status, body) = await ValidateAsync(server, """
            {"blocks": [
              {"sequence_number": 1, "block_name": "webhook", "block_id": "input"},
              {"sequence_number": 2, "block_name": "filter", "block_id": "a", "specs": {"expression": "true"}},
              {"sequence_number": 3, "block_name": "merge", "block_type": "transform", "block_id": "b", "specs": {"operations": [{"op": "trim", "column": "x"}]}},
              {"sequence_number": 4, "block_name": "filter", "block_id": "c", "specs": {"expression": "true"}}],
             "edges": [
              {"from_block_id": "input", "to_block_id": "a"},
              {"from_block_id": "a", "to_block_id": "b"},
              {"from_block_id": "b", "to_block_id": "c"},
              {"from_block_id": "c", "to_block_id": "b"}]}
            """);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(Messages(body), m => m.Contains("cycle", StringComparison.Ordinal) && m.Contains("b -> c -> b", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_lead_block_on_company_rows_suggests_the_converter()
    {
        await using var server = await TestServer.StartAsync();
        var (status, body) = await ValidateAsync(server, """
            {"blocks": [
              {"sequence_number": 1, "block_name": "webhook", "block_id": "input", "specs": {"dataframe_type": "COMPANY"}},
              {"sequence_number": 2, "block_name": "validate_email", "block_id": "check", "specs": {"email_field": "email"}}],
             "edges": [{"from_block_id": "input", "to_block_id": "check"}]}
            """);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(Messages(body), m => m.Contains("'check'", StringComparison.Ordinal) && m.Contains("company_to_leads", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_column_missing_from_the_declared_input_schema_is_named()
    {
        await using var server = await TestServer.StartAsync();
        var (status, body) = await ValidateAsync(server, """
            {"blocks": [
              {"sequence_number": 1, "block_name": "webhook", "block_id": "input", "specs": {"input_schema": {"name": {"type": "str"}}}},
              {"sequence_number": 2, "block_name": "validate_email", "block_id": "check", "specs": {"email_field": "email"}}],
             "edges": [{"from_block_id": "input", "to_block_id": "check"}]}
            """);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(Messages(body), m => m.Contains("'email'", StringComparison.Ordinal) && m.Contains("'check'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_edge_condition_that_does_not_parse_names_the_edge_and_position()
    {
        await using var server = await TestServer.StartAsync();
        var (status, body) = await ValidateAsync(server, """
            {"blocks": [
              {"sequence_number": 1, "block_name": "webhook", "block_id": "input"},
              {"sequence_number": 2, "block_name": "remove_columns", "block_id": "drop", "specs": {"columns": ["x"]}}],
             "edges": [{"from_block_id": "input", "to_block_id": "drop", "condition": "[email_status] = = 'valid'"}]}
            """);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = Assert.Single(body.GetProperty("errors").EnumerateArray());
        Assert.Equal("condition", error.GetProperty("loc").EnumerateArray().Last().GetString());
        Assert.Contains("position", error.GetProperty("msg").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Block_type_is_used_when_block_name_is_not_a_registered_name()
    {
        await using var server = await TestServer.StartAsync();
        var (status, _) = await ValidateAsync(server, """
            {"blocks": [
              {"sequence_number": 1, "block_name": "My input", "block_type": "webhook"},
              {"sequence_number": 2, "block_name": "verify_email", "block_type": "validation", "specs": {"check_mx": false}}],
             "edges": [{"from_block_id": "block_1", "to_block_id": "block_2"}]}
            """);
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task Columns_below_a_converter_are_not_checked_against_the_declared_schema()
    {
        await using var server = await TestServer.StartAsync();
        var (status, body) = await ValidateAsync(server, """
            {"blocks": [
              {"sequence_number": 1, "block_name": "webhook", "block_id": "input", "specs": {"dataframe_type": "COMPANY", "input_schema": {"name": {"type": "str"}, "people": {"type": "list"}}}},
              {"sequence_number": 2, "block_name": "company_to_leads", "block_id": "leads"},
              {"sequence_number": 3, "block_name": "validate_email", "block_id": "check", "specs": {"email_field": "email", "check_mx": false}}],
             "edges": [{"from_block_id": "input", "to_block_id": "leads"}, {"from_block_id": "leads", "to_block_id": "check"}]}
            """);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
    }
}

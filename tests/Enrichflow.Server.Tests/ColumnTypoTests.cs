using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests;

/// <summary>
/// Issue 10: a typo in a column name validated and the run "completed" with every row rejected. Now it is a 400 when the
/// columns are known before the run, and the block's error when they are not (docs/api.md §2.1).
/// </summary>
public sealed class ColumnTypoTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly object[] Leads =
    [
        new { email = "ann@example.com", name = "Ann" },
        new { email = "bob@example.com", name = "Bob" },
        new { email = "ann@example.com", name = "Ann again" },
    ];

    private static string Chain(string secondName, string secondSpecs, string? condition = null)
    {
        var edgeCondition = condition is null ? "" : $", \"condition\": \"{condition}\"";
        return $$"""
            {"blocks": [
              {"sequence_number": 1, "block_name": "webhook", "block_id": "input", "specs": {} },
              {"sequence_number": 2, "block_name": "validate_email", "block_id": "check", "specs": {"check_mx": false} },
              {"sequence_number": 3, "block_name": "{{secondName}}", "block_id": "next", "specs": {{secondSpecs}} }],
             "edges": [{"from_block_id": "input", "to_block_id": "check"}, {"from_block_id": "check", "to_block_id": "next"{{edgeCondition}} }]}
            """;
    }

    private static async Task<JsonElement> RunAsync(TestServer server, string definition)
    {
        var workflow = await server.CreateWorkflowAsync(definition);
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = Leads });
        return await server.WaitForRunAsync(runId);
    }

    [Fact]
    public async Task A_filter_on_a_misspelt_column_fails_the_run_naming_the_column_instead_of_rejecting_every_row()
    {
        await using var server = await TestServer.StartAsync();
        var status = await RunAsync(server, Chain("filter", """{"filters": [{"column": "emial_status", "operator": "equals", "value": "valid"}]}"""));

        Assert.Equal("failed", status.GetProperty("overall_status").GetString());
        var error = status.GetProperty("error_message").GetString()!;
        Assert.Contains("Block 'next'", error, StringComparison.Ordinal);
        Assert.Contains("column 'emial_status' does not exist; the rows have: email, name, email_status", error, StringComparison.Ordinal);
        Assert.Contains("(did you mean 'email_status'?)", error, StringComparison.Ordinal);
        var block = status.GetProperty("blocks").EnumerateArray().Single(b => b.GetProperty("block_id").GetString() == "next");
        Assert.Equal("failed", block.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_filter_expression_on_a_misspelt_column_fails_the_run_too()
    {
        await using var server = await TestServer.StartAsync();
        var status = await RunAsync(server, Chain("filter", """{"expression": "[email_status] = 'valid' and [nmae] != ''"}"""));
        Assert.Equal("failed", status.GetProperty("overall_status").GetString());
        Assert.Contains("column 'nmae' does not exist", status.GetProperty("error_message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dedupe_on_a_misspelt_key_fails_the_run_instead_of_keeping_one_row()
    {
        await using var server = await TestServer.StartAsync();
        var status = await RunAsync(server, Chain("deduplicate", """{"key_fields": ["emial"]}"""));
        Assert.Equal("failed", status.GetProperty("overall_status").GetString());
        Assert.Contains("column 'emial' does not exist; the rows have: email,", status.GetProperty("error_message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_edge_condition_on_a_misspelt_column_fails_the_run_naming_the_edge()
    {
        await using var server = await TestServer.StartAsync();
        var status = await RunAsync(server, Chain("remove_columns", """{"columns": ["name"]}""", "[emial_status] = 'valid'"));
        Assert.Equal("failed", status.GetProperty("overall_status").GetString());
        Assert.Contains("the condition of edge check->next reads column 'emial_status', which does not exist", status.GetProperty("error_message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_workflows_spelt_right_complete_with_their_rows()
    {
        await using var server = await TestServer.StartAsync();
        var filtered = await RunAsync(server, Chain("filter", """{"filters": [{"column": "email_status", "operator": "equals", "value": "valid"}]}"""));
        var deduplicated = await RunAsync(server, Chain("deduplicate", """{"key_fields": ["email"]}""", "[email_status] = 'valid'"));
        Assert.Equal("completed", filtered.GetProperty("overall_status").GetString());
        Assert.Equal("completed", deduplicated.GetProperty("overall_status").GetString());
        Assert.Equal(2, deduplicated.GetProperty("blocks").EnumerateArray().Last().GetProperty("metrics").GetProperty("row_count").GetInt64());
    }

    [Fact]
    public async Task A_column_only_some_rows_have_and_a_dropped_column_no_row_has_are_not_errors()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync("""
            {"blocks": [
              {"sequence_number": 1, "block_name": "webhook", "block_id": "input", "specs": {}},
              {"sequence_number": 2, "block_name": "remove_columns", "block_id": "drop", "specs": {"columns": ["fax"]}},
              {"sequence_number": 3, "block_name": "filter", "block_id": "keep", "specs": {"filters": [{"column": "phone", "operator": "is_not_empty"}]}}],
             "edges": [{"from_block_id": "input", "to_block_id": "drop"}, {"from_block_id": "drop", "to_block_id": "keep"}]}
            """);
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = new object[] { new { name = "a" }, new { name = "b", phone = "+1 555 0100" } } });
        var status = await server.WaitForRunAsync(runId);
        Assert.Equal("completed", status.GetProperty("overall_status").GetString());
        Assert.Equal(1, status.GetProperty("blocks").EnumerateArray().Last().GetProperty("metrics").GetProperty("row_count").GetInt64());
    }

    [Fact]
    public async Task With_a_webhook_input_sample_the_typo_is_a_400_before_any_run()
    {
        await using var server = await TestServer.StartAsync();
        var response = await server.Client.PostAsJsonAsync("/workflows/validate", new
        {
            workflow_definition = JsonDocument.Parse(Chain("filter", """{"filters": [{"column": "emial_status", "operator": "equals", "value": "valid"}]}""")
                .Replace("\"specs\": {} ", "\"specs\": {\"webhook_input\": [{\"email\": \"ann@example.com\", \"name\": \"Ann\"}]}", StringComparison.Ordinal)).RootElement,
        }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = Assert.Single((await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").EnumerateArray());
        Assert.Equal("Block 'next' reads column 'emial_status', which does not exist at that point; did you mean 'email_status'? Known columns: "
            + "email, email_domain, email_is_disposable, email_is_free, email_is_role, email_mx_found, email_normalized, email_reason, email_status, name.",
            error.GetProperty("msg").GetString());
        Assert.Equal("body.workflow_definition.blocks.2.specs.filters.0.column", string.Join('.', error.GetProperty("loc").EnumerateArray().Select(l => l.ToString())));
    }
}

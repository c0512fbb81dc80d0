using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests;

public sealed class WorkflowApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Create_get_list_update_and_delete_a_workflow()
    {
        await using var server = await TestServer.StartAsync();
        var id = await server.CreateWorkflowAsync(Definitions.WebhookValidate, "weekly-leads");
        Assert.Equal("weekly-leads", id);

        var workflow = await server.Client.GetFromJsonAsync<JsonElement>("/workflows/weekly-leads", Ct);
        Assert.Equal("draft", workflow.GetProperty("step").GetString());
        Assert.Equal("active", workflow.GetProperty("status").GetString());
        Assert.Equal("default", workflow.GetProperty("org_id").GetString());
        Assert.Equal(1, workflow.GetProperty("version").GetInt32());
        Assert.EndsWith("Z", workflow.GetProperty("created_at").GetString());
        Assert.Equal(2, workflow.GetProperty("workflow_definition").GetProperty("blocks").GetArrayLength());

        var list = await server.Client.GetFromJsonAsync<JsonElement>("/workflows", Ct);
        var item = Assert.Single(list.EnumerateArray());
        Assert.False(item.TryGetProperty("workflow_definition", out _));

        var update = await server.Client.PostAsJsonAsync("/workflows/update_workflow?workflow_id=weekly-leads",
            new { workflow_name = "renamed", workflow_definition = JsonDocument.Parse(Definitions.WebhookOnly).RootElement }, Ct);
        var updated = await update.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        Assert.Equal("renamed", updated.GetProperty("name").GetString());
        Assert.Equal(2, updated.GetProperty("version").GetInt32());

        var deleted = await server.Client.PostAsync("/workflows/delete_workflow?workflow_id=weekly-leads", null, Ct);
        var body = await deleted.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("deleted", body.GetProperty("status").GetString());
        Assert.Equal("deleted", body.GetProperty("step").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/workflows/weekly-leads", Ct)).StatusCode);
    }

    [Fact]
    public async Task Update_of_an_absent_workflow_creates_it()
    {
        await using var server = await TestServer.StartAsync();
        var response = await server.Client.PostAsJsonAsync("/workflows/update_workflow?workflow_id=fresh",
            new { workflow_name = "fresh", workflow_definition = JsonDocument.Parse(Definitions.WebhookOnly).RootElement }, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/workflows/fresh", Ct)).StatusCode);
    }

    [Fact]
    public async Task Create_with_an_existing_id_is_409()
    {
        await using var server = await TestServer.StartAsync();
        await server.CreateWorkflowAsync(Definitions.WebhookOnly, "dup");
        var response = await server.Client.PostAsJsonAsync("/workflows/create_workflow",
            new { workflow_name = "x", workflow_definition = JsonDocument.Parse(Definitions.WebhookOnly).RootElement, id = "dup" }, Ct);
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString();
        Assert.Equal("Workflow with ID dup already exists. Use update endpoint to modify existing workflows.", detail);
    }

    [Theory]
    [InlineData("blocks")]
    [InlineData("runs")]
    [InlineData("has space")]
    public async Task Create_with_a_reserved_or_malformed_id_is_400(string id)
    {
        await using var server = await TestServer.StartAsync();
        var response = await server.Client.PostAsJsonAsync("/workflows/create_workflow",
            new { workflow_name = "x", workflow_definition = JsonDocument.Parse(Definitions.WebhookOnly).RootElement, id }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(id, (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Missing_or_unknown_api_key_is_401()
    {
        await using var server = await TestServer.StartAsync();
        foreach (var key in new string?[] { null, "ef_not-a-key" })
        {
            using var client = server.NewClient(key);
            var response = await client.GetAsync("/workflows", Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Invalid API key", (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task A_read_only_key_may_read_but_not_write()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.NewClient(await server.CreateKeyAsync("default", readOnly: true));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/workflows", Ct)).StatusCode);
        var response = await client.PostAsJsonAsync("/workflows/create_workflow",
            new { workflow_name = "x", workflow_definition = JsonDocument.Parse(Definitions.WebhookOnly).RootElement }, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Access denied", (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Another_organizations_workflow_is_404()
    {
        await using var server = await TestServer.StartAsync();
        await server.CreateWorkflowAsync(Definitions.WebhookOnly, "mine");
        using var other = server.NewClient(await server.CreateKeyAsync("acme"));
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync("/workflows/mine", Ct)).StatusCode);
        var run = await other.PostAsJsonAsync("/workflows/run?workflow_id=mine", new { webhook_payload = new[] { new { a = 1 } } }, Ct);
        Assert.Equal(HttpStatusCode.NotFound, run.StatusCode);
        Assert.Equal("Workflow not found", (await run.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString());
        Assert.Empty((await other.GetFromJsonAsync<JsonElement>("/workflows", Ct)).EnumerateArray());
    }

    [Fact]
    public async Task Malformed_json_is_422_with_a_location()
    {
        await using var server = await TestServer.StartAsync();
        var response = await server.Client.PostAsync("/workflows/create_workflow",
            new StringContent("{\"workflow_name\": \"x\", \"workflow_definition\": {", Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail")[0];
        Assert.Equal("body", detail.GetProperty("loc")[0].GetString());
        Assert.Equal("json_invalid", detail.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Missing_field_is_422_naming_its_location()
    {
        await using var server = await TestServer.StartAsync();
        var response = await server.Client.PostAsJsonAsync("/workflows/create_workflow",
            new { workflow_name = "x", workflow_definition = new { blocks = new[] { new { block_name = "webhook" } }, edges = new[] { new { from_block_id = "a" } } } }, Ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var locs = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").EnumerateArray()
            .Select(d => string.Join('.', d.GetProperty("loc").EnumerateArray().Select(l => l.ToString()))).ToList();
        Assert.Contains("body.workflow_definition.blocks.0.sequence_number", locs);
        Assert.Contains("body.workflow_definition.edges.0.to_block_id", locs);
    }

    [Fact]
    public async Task Blocks_endpoint_lists_every_block_with_a_specs_schema()
    {
        await using var server = await TestServer.StartAsync();
        var blocks = await server.Client.GetFromJsonAsync<JsonElement>("/workflows/blocks", Ct);
        var names = blocks.EnumerateArray().Select(b => b.GetProperty("block_name").GetString()).ToList();
        Assert.Contains("webhook", names);
        Assert.Contains("read_csv", names);
        Assert.Contains("verify_email", names);
        Assert.Contains("validate_phone", names);
        Assert.Contains("filter", names);
        Assert.Contains("transform_data", names);
        Assert.Contains("remove_columns", names);
        var email = blocks.EnumerateArray().First(b => b.GetProperty("block_name").GetString() == "verify_email");
        Assert.True(email.GetProperty("specs_schema").GetProperty("properties").TryGetProperty("email_field", out _));
        Assert.Equal(["LEAD"], email.GetProperty("dataframe_types").EnumerateArray().Select(t => t.GetString()));
    }

    [Theory]
    [InlineData("company_enrichment", "enrich_company")]
    [InlineData("lead_enrichment", "enrich_person")]
    [InlineData("verify_email", "validate_email")]
    [InlineData("transform_data", "transform")]
    public async Task Blocks_are_listed_under_sixtyfours_current_name_with_ours_among_the_aliases(string listed, string ours)
    {
        await using var server = await TestServer.StartAsync();
        var blocks = await server.Client.GetFromJsonAsync<JsonElement>("/workflows/blocks", Ct);

        var block = Assert.Single(blocks.EnumerateArray(), b => b.GetProperty("block_name").GetString() == listed);
        var aliases = block.GetProperty("aliases").EnumerateArray().Select(a => a.GetString()).ToList();
        Assert.Contains(ours, aliases);
        Assert.DoesNotContain(listed, aliases);
        Assert.DoesNotContain(blocks.EnumerateArray(), b => b.GetProperty("block_name").GetString() == ours);
    }
}

using System.Net;
using System.Text.Json.Nodes;
using Enrichflow.Client.Models;
using Enrichflow.Client.Tests.Infrastructure;

namespace Enrichflow.Client.Tests;

/// <summary>Workflow management (docs/api.md §2) and the typed errors, through the client against a real server.</summary>
public sealed class WorkflowClientTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private LoopbackServer _server = null!;

    private EnrichflowClient Client => _server.Client;

    public async ValueTask InitializeAsync() => _server = await LoopbackServer.StartAsync();

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_workflow_is_created_listed_read_updated_validated_and_deleted()
    {
        Assert.Empty(await Client.ListWorkflowsAsync(Ct));
        var created = await Client.CreateWorkflowAsync(new CreateWorkflowRequest("Leads", Definitions.EmailCheck(), "checks emails", Id: "leads"), Ct);
        Assert.Equal("leads", created.Id);
        Assert.Equal("draft", created.Step);
        Assert.Equal(1, created.Version);
        Assert.Equal("default", created.OrgId);
        Assert.Equal(["input", "check", "keep"], created.WorkflowDefinition!.Blocks.Select(b => b.BlockId));

        var listed = Assert.Single(await Client.ListWorkflowsAsync(Ct));
        Assert.Equal("Leads", listed.Name);
        Assert.Null(listed.WorkflowDefinition);
        var read = await Client.GetWorkflowAsync("leads", Ct);
        Assert.Equal("[email_status] != 'invalid'", read.WorkflowDefinition!.Blocks[2].Specs!["expression"]!.GetValue<string>());
        Assert.Equal("input", read.WorkflowDefinition.Source!.BlockId);

        var updated = await Client.UpdateWorkflowAsync("leads", new UpdateWorkflowRequest("Leads v2", WorkflowDefinition: Definitions.EmailCheck()), Ct);
        Assert.Equal("Leads v2", updated.Name);
        Assert.Equal(2, updated.Version);

        var valid = await Client.ValidateWorkflowAsync(Definitions.EmailCheck(), Ct);
        Assert.True(valid.Valid);
        Assert.Empty(valid.Warnings!);
        var typo = Definitions.EmailCheck() with { Blocks = [.. Definitions.EmailCheck().Blocks.Take(2)], Edges = [new WorkflowEdge("input", "check")] };
        typo.Blocks[1].Specs!["tooo"] = 1;
        var warned = await Client.ValidateWorkflowAsync(typo, Ct);
        Assert.Contains("unknown spec 'tooo'", Assert.Single(warned.Warnings!).Msg, StringComparison.Ordinal);

        var deleted = await Client.DeleteWorkflowAsync("leads", Ct);
        Assert.Equal("deleted", deleted.Status);
        Assert.Empty(await Client.ListWorkflowsAsync(Ct));
    }

    [Fact]
    public async Task The_block_catalogue_has_every_block_with_its_schema()
    {
        var blocks = await Client.ListBlocksAsync(Ct);
        var email = Assert.Single(blocks, b => b.BlockName == "verify_email");
        Assert.Contains("validate_email", email.Aliases!);
        Assert.True(email.SpecsSchema.GetProperty("properties").TryGetProperty("email_field", out _));
        Assert.Contains(blocks, b => b.BlockName == "webhook" && b.Role == "source");
    }

    [Fact]
    public async Task A_wrong_key_is_a_401_with_its_detail()
    {
        var error = await Assert.ThrowsAsync<EnrichflowApiException>(() => _server.NewClient("ef_not-a-key").ListWorkflowsAsync(Ct));
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal("Invalid API key", error.Detail.Text);
        Assert.Contains("GET /workflows answered 401: Invalid API key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_read_only_key_writing_is_a_403()
    {
        var readOnly = _server.NewClient(await _server.CreateKeyAsync("default", readOnly: true));
        Assert.Empty(await readOnly.ListWorkflowsAsync(Ct));
        var error = await Assert.ThrowsAsync<EnrichflowApiException>(() => readOnly.CreateWorkflowAsync(new CreateWorkflowRequest("x", Definitions.EmailCheck()), Ct));
        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Equal("Access denied", error.Detail.Text);
    }

    [Fact]
    public async Task An_unknown_workflow_is_a_404_naming_it()
    {
        var error = await Assert.ThrowsAsync<EnrichflowApiException>(() => Client.GetWorkflowAsync("nope", Ct));
        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Equal("Workflow not found", error.Detail.Text);
        Assert.Empty(error.Detail.Items);
    }

    [Fact]
    public async Task A_body_off_the_schema_is_a_422_with_the_validation_list()
    {
        var definition = Definitions.EmailCheck() with { Edges = [new WorkflowEdge("input", null!)] };
        var error = await Assert.ThrowsAsync<EnrichflowApiException>(() => Client.CreateWorkflowAsync(new CreateWorkflowRequest("x", definition), Ct));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.StatusCode);
        Assert.Null(error.Detail.Text);
        var item = Assert.Single(error.Detail.Items);
        Assert.Equal("body.workflow_definition.edges[0].to_block_id", item.Path);
        Assert.Contains("body.workflow_definition.edges[0].to_block_id", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_definition_is_a_400_with_every_problem()
    {
        var definition = new WorkflowDefinition(
            [new WorkflowBlock(1, "webhook", BlockId: "input"), new WorkflowBlock(2, "no_such_block", BlockId: "x"), new WorkflowBlock(3, "filter", new JsonObject { ["expression"] = "[a] =" }, "f")],
            [new WorkflowEdge("input", "x"), new WorkflowEdge("x", "f")]);
        var error = await Assert.ThrowsAsync<EnrichflowApiException>(() => Client.ValidateWorkflowAsync(definition, Ct));
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.StartsWith("Invalid workflow definition", error.Detail.Text, StringComparison.Ordinal);
        Assert.True(error.Detail.Errors.Count >= 2, string.Join("; ", error.Detail.Errors));
        Assert.Contains(error.Detail.Errors, e => e.Msg.Contains("no_such_block", StringComparison.Ordinal) && e.Path.Contains("blocks[1]", StringComparison.Ordinal));
    }
}

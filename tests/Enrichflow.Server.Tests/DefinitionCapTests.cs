using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests;

/// <summary>Definition caps over HTTP (docs/api.md §2.1, §9 <c>Limits:*</c>): a 400 naming the loc on validate and create; raised caps take a 3,000-block chain.</summary>
public sealed class DefinitionCapTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Chain(int blocks)
    {
        var json = new StringBuilder("""{"blocks": [{"sequence_number": 0, "block_name": "webhook", "block_id": "b0", "specs": {"input_schema": {"score": {"type": "int"}}}}""");
        for (var i = 1; i < blocks; i++)
        {
            json.Append($$$""", {"sequence_number": {{{i}}}, "block_name": "filter", "block_id": "b{{{i}}}", "specs": {"expression": "[score] >= 0"}}""");
        }

        json.Append("""], "edges": [""");
        for (var i = 1; i < blocks; i++)
        {
            json.Append(i > 1 ? ", " : "").Append($$"""{"from_block_id": "b{{i - 1}}", "to_block_id": "b{{i}}"}""");
        }

        return json.Append("]}").ToString();
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(TestServer server, string path, string definition)
    {
        var body = new JsonObject { ["workflow_name"] = "caps", ["workflow_definition"] = JsonNode.Parse(definition) };
        var response = await server.Client.PostAsJsonAsync(path, body, Ct);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(Ct));
    }

    private static (string Loc, string Msg) OnlyError(JsonElement body)
    {
        var error = Assert.Single(body.GetProperty("errors").EnumerateArray());
        return (string.Join('.', error.GetProperty("loc").EnumerateArray().Select(l => l.ToString())), error.GetProperty("msg").GetString()!);
    }

    [Theory]
    [InlineData("/workflows/validate")]
    [InlineData("/workflows/create_workflow")]
    public async Task More_blocks_than_the_default_cap_is_a_400_at_blocks(string path)
    {
        await using var server = await TestServer.StartAsync();

        var (status, body) = await PostAsync(server, path, Chain(1001));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(("body.workflow_definition.blocks", "The workflow has 1001 blocks; at most 1000 are allowed (Limits:MaxBlocks)."), OnlyError(body));
    }

    [Fact]
    public async Task A_definition_over_the_byte_cap_is_a_400_at_the_definition()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Limits:MaxDefinitionBytes"] = "4096" });

        var (status, body) = await PostAsync(server, "/workflows/validate", Chain(100));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var (loc, msg) = OnlyError(body);
        Assert.Equal("body.workflow_definition", loc);
        Assert.EndsWith("bytes of JSON; at most 4 KiB are allowed (Limits:MaxDefinitionBytes).", msg, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_caps_raised_a_3000_block_chain_validates_and_is_stored()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Limits:MaxBlocks"] = "3000" });

        var (status, body) = await PostAsync(server, "/workflows/validate", Chain(3000));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body.GetProperty("valid").GetBoolean());

        var id = await server.CreateWorkflowAsync(Chain(3000));
        var stored = await server.Client.GetFromJsonAsync<JsonElement>($"/workflows/{id}", Ct);
        Assert.Equal(3000, stored.GetProperty("workflow_definition").GetProperty("blocks").GetArrayLength());
    }
}

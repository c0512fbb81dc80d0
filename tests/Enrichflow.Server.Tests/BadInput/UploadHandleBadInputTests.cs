using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;
using static Enrichflow.Server.Tests.BadInput.BadInputKit;

namespace Enrichflow.Server.Tests.BadInput;

/// <summary>
/// The upload handle a read_csv run names (<c>specs_override.resource_handle_id</c>): missing, unknown,
/// foreign, of the wrong type or sent to a workflow that takes no file.
/// </summary>
public sealed class UploadHandleBadInputTests
{
    [Fact]
    public async Task An_unknown_or_foreign_upload_handle_is_404_naming_the_handle()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.ReadCsvOnly);
        var unknown = Guid.CreateVersion7().ToString();
        await AssertDetailAsync(await server.Client.PostAsJsonAsync($"/workflows/run?workflow_id={workflow}", new { specs_override = new { resource_handle_id = unknown } }, Ct),
            HttpStatusCode.NotFound, unknown);
        await AssertDetailAsync(await server.Client.PostAsJsonAsync($"/workflows/run?workflow_id={workflow}", new { specs_override = new { resource_handle_id = "garbage" } }, Ct),
            HttpStatusCode.NotFound, "garbage");

        using var acme = server.NewClient(await server.CreateKeyAsync("acme"));
        var foreign = await UploadRawAsync(server, "theirs.csv", Encoding.UTF8.GetBytes("name\nx\n"), acme);
        Assert.Equal(HttpStatusCode.OK, foreign.StatusCode);
        var foreignHandle = (await foreign.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("handle_id").GetString()!;
        await AssertDetailAsync(await server.Client.PostAsJsonAsync($"/workflows/run?workflow_id={workflow}", new { specs_override = new { resource_handle_id = foreignHandle } }, Ct),
            HttpStatusCode.NotFound, foreignHandle);
        Assert.Equal(0, await RunCountAsync(server));
    }

    [Fact]
    public async Task An_upload_handle_on_a_webhook_workflow_is_400_naming_the_block()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var handle = await server.UploadAsync("leads.csv", Encoding.UTF8.GetBytes("name\nann\n"));
        var response = await server.Client.PostAsJsonAsync($"/workflows/run?workflow_id={workflow}",
            new { webhook_payload = new { name = "ann" }, specs_override = new { resource_handle_id = handle } }, Ct);
        await AssertDetailAsync(response, HttpStatusCode.BadRequest, "resource_handle_id", "'input'");
        Assert.Equal(0, await RunCountAsync(server));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("""{"specs_override": {}}""")]
    [InlineData("""{"specs_override": {"resource_handle_id": null}}""")]
    public async Task A_read_csv_run_without_a_handle_is_400_naming_the_block(string body)
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.ReadCsvOnly);
        await AssertDetailAsync(await PostRunRawAsync(server, workflow, body), HttpStatusCode.BadRequest, "'input'", "resource_handle_id");
        Assert.Equal(0, await RunCountAsync(server));
    }

    [Fact]
    public async Task A_resource_handle_id_of_the_wrong_type_is_400_naming_the_field()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.ReadCsvOnly);
        var response = await PostRunRawAsync(server, workflow, """{"specs_override": {"resource_handle_id": 12}}""");
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"expected 400, got {(int)response.StatusCode}: {text}");
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Contains("resource_handle_id", body.GetProperty("errors")[0].GetProperty("loc").ToString(), StringComparison.Ordinal);
        var detail = body.GetProperty("detail").GetString()!;
        Assert.True(detail.Contains("resource_handle_id", StringComparison.Ordinal) && !detail.Contains("System.", StringComparison.Ordinal),
            $"detail should name the field in plain words: {detail}");
        Assert.Equal(0, await RunCountAsync(server));
    }
}

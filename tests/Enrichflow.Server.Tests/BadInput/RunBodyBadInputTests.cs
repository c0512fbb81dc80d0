using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;
using static Enrichflow.Server.Tests.BadInput.BadInputKit;

namespace Enrichflow.Server.Tests.BadInput;

/// <summary>
/// The body of <c>POST /workflows/run</c> (docs/api.md §1, §4): the documented status, a message naming the field,
/// element or limit, nothing queued or stored, and the next good run unaffected.
/// </summary>
public sealed class RunBodyBadInputTests
{
    [Fact]
    public async Task Webhook_payload_sent_to_a_read_csv_workflow_is_400_naming_the_block()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.ReadCsvOnly);
        var handle = await server.UploadAsync("leads.csv", Encoding.UTF8.GetBytes("name\nann\n"));
        var response = await server.Client.PostAsJsonAsync($"/workflows/run?workflow_id={workflow}",
            new { webhook_payload = new[] { new { name = "ann" } }, specs_override = new { resource_handle_id = handle } }, Ct);
        await AssertDetailAsync(response, HttpStatusCode.BadRequest, "'input'", "read_csv", "webhook_payload");
        Assert.Equal(0, await RunCountAsync(server));
    }

    [Theory]
    [InlineData("""[{"a": 1}, {"a": 2}, 3, {"a": 4}]""", 2, "is a number,")]
    [InlineData("""[{"a": 1}, "two"]""", 1, "is a string,")]
    [InlineData("""[{"a": 1}, {"a": 2}, {"a": 3}, [1, 2]]""", 3, "is a list,")]
    [InlineData("""[null, {"a": 1}]""", 0, "is null,")]
    [InlineData("""[{"a": 1}, true]""", 1, "is a boolean,")]
    public async Task A_webhook_payload_element_that_is_not_an_object_is_400_naming_its_index_and_queues_nothing(string payload, int index, string kind)
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var response = await PostRunRawAsync(server, workflow, $$"""{"webhook_payload": {{payload}}}""");
        var detail = await AssertDetailAsync(response, HttpStatusCode.BadRequest, $"webhook_payload[{index}]", kind);
        Assert.DoesNotContain("a a ", detail, StringComparison.Ordinal);
        Assert.Equal(0, await RunCountAsync(server));
        Assert.Empty(StoredFiles(server, "runs"));
    }

    [Theory]
    [InlineData("\"just a string\"")]
    [InlineData("42")]
    public async Task A_webhook_payload_that_is_neither_a_list_nor_an_object_is_422_naming_it(string payload)
    {
        // A wrong type is a 422 (docs/api.md §1); the loc points at the byte where the value starts.
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var item = await AssertUnprocessableAsync(await PostRunRawAsync(server, workflow, $$"""{"webhook_payload": {{payload}}}"""));
        Assert.Contains("webhook_payload must be a list of objects or one object", item.GetProperty("msg").GetString(), StringComparison.Ordinal);
        Assert.Equal("body", item.GetProperty("loc")[0].GetString());
        Assert.Equal(0, await RunCountAsync(server));
        Assert.Empty(StoredFiles(server, "runs"));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"webhook_payload": null}""")]
    [InlineData("")]
    public async Task A_webhook_workflow_without_webhook_payload_is_400_naming_the_block(string body)
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var response = await PostRunRawAsync(server, workflow, body);
        await AssertDetailAsync(response, HttpStatusCode.BadRequest, "'input'", "webhook_payload");
        Assert.Equal(0, await RunCountAsync(server));
        Assert.Empty(StoredFiles(server, "runs"));
    }

    [Theory]
    [InlineData(false, """{"webhook_payload": [{"a": 1},""")]
    [InlineData(false, """{"webhook_payload": [{"a": 1}}""")]
    [InlineData(true, """{"specs_override": {"resource_handle_id": "x"}""")]
    [InlineData(true, """{"specs_override": nope}""")]
    public async Task A_malformed_json_run_body_is_422_with_a_loc_in_the_body(bool readCsv, string body)
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(readCsv ? Definitions.ReadCsvOnly : Definitions.WebhookOnly);
        var item = await AssertUnprocessableAsync(await PostRunRawAsync(server, workflow, body));
        var loc = item.GetProperty("loc");
        Assert.Equal("body", loc[0].GetString());
        Assert.True(loc.GetArrayLength() == 2 && loc[1].ValueKind == JsonValueKind.Number, $"loc should point at the byte: {loc}");
        Assert.Equal("json_invalid", item.GetProperty("type").GetString());
        Assert.Equal(0, await RunCountAsync(server));
        Assert.Empty(StoredFiles(server, "runs"));
    }

    [Fact]
    public async Task A_run_body_that_is_not_an_object_is_422_at_body()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.ReadCsvOnly);
        var item = await AssertUnprocessableAsync(await PostRunRawAsync(server, workflow, "[1, 2]"));
        Assert.Equal(["body"], item.GetProperty("loc").EnumerateArray().Select(e => e.GetString()));
    }

    [Theory]
    [InlineData("""{"webhook_payload": {"a": 1}, "specs_override": [1]}""", "specs_override", null)]
    [InlineData("""{"webhook_payload": {"a": 1}, "cache_config": {"enabled": "yes"}}""", "cache_config", "enabled")]
    [InlineData("""{"webhook_payload": {"a": 1}, "cache_config": {"ttl_days": -1}}""", "cache_config", "ttl_days")]
    public async Task A_run_body_field_of_the_wrong_type_is_422_naming_its_loc(string body, string field, string? subfield)
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var item = await AssertUnprocessableAsync(await PostRunRawAsync(server, workflow, body));
        string?[] expected = subfield is null ? ["body", field] : ["body", field, subfield];
        Assert.Equal(expected, item.GetProperty("loc").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(0, await RunCountAsync(server));
    }

    [Fact]
    public async Task A_run_without_workflow_id_is_422_at_query_workflow_id_and_an_unknown_workflow_is_404()
    {
        await using var server = await TestServer.StartAsync();
        var item = await AssertUnprocessableAsync(await server.Client.PostAsJsonAsync("/workflows/run", new { webhook_payload = new { a = 1 } }, Ct));
        Assert.Equal(["query", "workflow_id"], item.GetProperty("loc").EnumerateArray().Select(e => e.GetString()));
        var unknown = await server.Client.PostAsJsonAsync("/workflows/run?workflow_id=no-such-workflow", new { webhook_payload = new { a = 1 } }, Ct);
        Assert.Equal("Workflow not found", await AssertDetailAsync(unknown, HttpStatusCode.NotFound));
        Assert.Equal(0, await RunCountAsync(server));
    }

    [Fact]
    public async Task A_run_body_over_MaxPayloadBytes_is_413_naming_the_limit_and_the_next_run_works()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Limits:MaxPayloadBytes"] = "4096" });
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var big = JsonSerializer.Serialize(new { webhook_payload = Enumerable.Range(0, 200).Select(i => new { name = $"Lead number {i}" }) });
        Assert.True(big.Length > 4096);

        // With a Content-Length: refused before reading.
        await AssertDetailAsync(await PostRunRawAsync(server, workflow, big), HttpStatusCode.RequestEntityTooLarge, "4096", "MaxPayloadBytes");

        // Chunked (no Content-Length): refused while streaming.
        using (var request = new HttpRequestMessage(HttpMethod.Post, $"/workflows/run?workflow_id={workflow}"))
        {
            request.Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big)));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.TransferEncodingChunked = true;
            await AssertDetailAsync(await server.Client.SendAsync(request, Ct), HttpStatusCode.RequestEntityTooLarge, "4096", "MaxPayloadBytes");
        }

        Assert.Equal(0, await RunCountAsync(server));
        Assert.Empty(StoredFiles(server, "runs"));

        var runId = await server.StartRunAsync(workflow, new { webhook_payload = new[] { new { name = "small" } } });
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());
    }

    [Fact]
    public async Task A_read_csv_run_body_over_MaxRequestBytes_is_413()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Limits:MaxRequestBytes"] = "2048" });
        var workflow = await server.CreateWorkflowAsync(Definitions.ReadCsvOnly);
        var body = JsonSerializer.Serialize(new { specs_override = new { note = new string('x', 5000) } });
        await AssertDetailAsync(await PostRunRawAsync(server, workflow, body), HttpStatusCode.RequestEntityTooLarge, "2048");
        Assert.Equal(0, await RunCountAsync(server));
    }

    [Fact]
    public async Task A_refused_run_does_not_consume_its_idempotency_key()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var bad = await PostRunRawAsync(server, workflow, """{"webhook_payload": [1]}""", idempotencyKey: "nightly-1");
        await AssertDetailAsync(bad, HttpStatusCode.BadRequest, "webhook_payload[0]");
        var good = await PostRunRawAsync(server, workflow, """{"webhook_payload": [{"a": 1}]}""", idempotencyKey: "nightly-1");
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.False((await good.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("already_started").GetBoolean());
        Assert.Equal(1, await RunCountAsync(server));
    }

    [Fact]
    public async Task A_strict_webhook_row_missing_a_required_column_is_400_naming_the_element()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync("""
            {"blocks": [{"sequence_number": 1, "block_name": "webhook", "block_id": "input",
              "specs": {"strict": true, "input_schema": {"email": {"type": "str", "required": true}}}}], "edges": []}
            """);
        var response = await PostRunRawAsync(server, workflow, """{"webhook_payload": [{"email": "a@example.com"}, {"email": "  "}, {"name": "no email"}]}""");
        await AssertDetailAsync(response, HttpStatusCode.BadRequest, "webhook_payload[1]", "'email'", "'input'");
        Assert.Equal(0, await RunCountAsync(server));
        Assert.Empty(StoredFiles(server, "runs"));

        // Every row complete: the run starts and keeps every row.
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = new[] { new { email = "a@example.com" }, new { email = "b@example.com" } } });
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());
        Assert.Equal(2, (await server.DownloadLinksAsync(runId)).EnumerateArray().Last().GetProperty("row_count").GetInt64());
    }
}

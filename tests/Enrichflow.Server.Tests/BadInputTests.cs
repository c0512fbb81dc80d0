using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests;

/// <summary>
/// One test per bad input (API.md §1, §3, §4): the documented status, a message naming the place (field, line or
/// index), nothing lost or queued, and other runs unaffected.
/// </summary>
public sealed class BadInputTests
{
    private const string GoodCsvHeader = "name,score\n";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // ---------------------------------------------------------------- helpers

    /// <summary>Asserts the status and a <c>{"detail": "..."}</c> body holding every fragment; returns the detail.</summary>
    private static async Task<string> AssertDetailAsync(HttpResponseMessage response, HttpStatusCode expected, params string[] fragments)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        var detail = JsonDocument.Parse(text).RootElement.GetProperty("detail");
        Assert.True(detail.ValueKind == JsonValueKind.String, $"detail is not a sentence: {text}");
        var sentence = detail.GetString()!;
        foreach (var fragment in fragments)
        {
            Assert.True(sentence.Contains(fragment, StringComparison.OrdinalIgnoreCase), $"detail does not name '{fragment}': {sentence}");
        }

        Assert.DoesNotContain("   at ", sentence, StringComparison.Ordinal);
        return sentence;
    }

    /// <summary>Asserts a 422 in FastAPI's shape and returns its first item.</summary>
    private static async Task<JsonElement> AssertUnprocessableAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"expected 422, got {(int)response.StatusCode}: {text}");
        var item = JsonDocument.Parse(text).RootElement.GetProperty("detail")[0].Clone();
        Assert.False(string.IsNullOrWhiteSpace(item.GetProperty("msg").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(item.GetProperty("type").GetString()));
        return item;
    }

    private static async Task<HttpResponseMessage> PostRunRawAsync(TestServer server, string workflow, string json, string query = "", string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/workflows/run?workflow_id={workflow}{query}")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await server.Client.SendAsync(request, Ct);
    }

    private static async Task<HttpResponseMessage> UploadRawAsync(TestServer server, string fileName, byte[] content, HttpClient? client = null)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(content), "file", fileName);
        return await (client ?? server.Client).PostAsync("/storage/csv/upload", form, Ct);
    }

    private static async Task<int> RunCountAsync(TestServer server) =>
        (await server.Client.GetFromJsonAsync<JsonElement>("/workflows/runs", Ct)).GetArrayLength();

    /// <summary>Files under the blob store's <paramref name="folder"/> (and any temp file left behind).</summary>
    private static List<string> StoredFiles(TestServer server, string folder)
    {
        var root = Path.Combine(server.DataDirectory, "blobs");
        return [.. new[] { folder, ".tmp" }
            .Select(f => Path.Combine(root, f))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))];
    }

    private static async Task<List<JsonElement>> RejectsAsync(TestServer server, string runId)
    {
        var links = await server.DownloadLinksAsync(runId);
        Assert.Equal("rejects.ndjson", links[0].GetProperty("filename").GetString());
        using var anonymous = new HttpClient();
        var text = await anonymous.GetStringAsync(links[0].GetProperty("download_url").GetString(), Ct);
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    private static async Task<List<string>> FinalNamesAsync(TestServer server, string runId)
    {
        var ndjson = await server.DownloadFinalAsync(runId, "ndjson");
        return [.. ndjson.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("name").GetString()!)];
    }

    private static byte[] Bytes(params object[] parts)
    {
        using var memory = new MemoryStream();
        foreach (var part in parts)
        {
            var bytes = part switch
            {
                string s => Encoding.UTF8.GetBytes(s),
                byte[] b => b,
                _ => throw new ArgumentException("string or byte[]", nameof(parts)),
            };
            memory.Write(bytes);
        }

        return memory.ToArray();
    }

    /// <summary>A malformed CSV record of each kind, as line 3 of a file (the last line for the unterminated quote).</summary>
    public static TheoryData<string> BadRecordKinds => ["ragged", "invalid-utf8", "nul", "huge-field", "unterminated-quote"];

    private static byte[] BadRecord(string kind, string name) => kind switch
    {
        "ragged" => Bytes($"{name},3,extra\n"),
        "invalid-utf8" => Bytes(name, new byte[] { 0xC3, 0x28, 0xFF }, ",3\n"),
        "nul" => Bytes(name, new byte[] { 0 }, ",3\n"),
        "huge-field" => Bytes($"{name},", new string('x', 5 * 1024 * 1024), "\n"),
        "unterminated-quote" => Bytes($"\"{name},3\n"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static string ReasonFragment(string kind) => kind switch
    {
        "ragged" => "expected 2 fields, found 3",
        "invalid-utf8" => "invalid UTF-8",
        "nul" => "NUL",
        "huge-field" => "exceeds",
        _ => "unterminated",
    };

    // ---------------------------------------------------------------- run body

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
        // A wrong type is a 422 (API.md §1); the loc points at the byte where the value starts.
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

    // ---------------------------------------------------------------- query values

    [Theory]
    [InlineData("xml")]
    [InlineData("csv,xml")]
    [InlineData("parquet")]
    public async Task Result_formats_outside_csv_json_ndjson_is_400_naming_the_value_and_queues_nothing(string formats)
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var response = await server.Client.PostAsJsonAsync($"/workflows/run?workflow_id={workflow}&result_formats={formats}", new { webhook_payload = new { a = 1 } }, Ct);
        await AssertDetailAsync(response, HttpStatusCode.BadRequest, "result_formats", formats.Split(',').Last());
        Assert.Equal(0, await RunCountAsync(server));
        Assert.Empty(StoredFiles(server, "runs"));
    }

    [Theory]
    [InlineData("done")]
    [InlineData("COMPLETE")]
    [InlineData("deleted")]
    public async Task An_unknown_status_filter_is_400_naming_the_parameter(string status)
    {
        await using var server = await TestServer.StartAsync();
        var response = await server.Client.GetAsync($"/workflows/runs?status={status}", Ct);
        await AssertDetailAsync(response, HttpStatusCode.BadRequest, "'status'", status);
    }

    [Fact]
    public async Task Every_documented_status_filter_is_accepted()
    {
        await using var server = await TestServer.StartAsync();
        foreach (var status in new[] { "running", "completed", "cancelled", "failed", "queued", "paused", "active" })
        {
            var response = await server.Client.GetAsync($"/workflows/runs?status={status}", Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"status={status} answered {(int)response.StatusCode}");
        }
    }

    [Theory]
    [InlineData("0190a8d2-7c1e-7000-8000-000000000000")]
    [InlineData("not-a-run-id")]
    [InlineData("12345")]
    public async Task An_unknown_or_garbage_run_id_is_404_everywhere(string runId)
    {
        await using var server = await TestServer.StartAsync();
        var id = Uri.EscapeDataString(runId);
        await AssertDetailAsync(await server.Client.GetAsync($"/workflows/runs/{id}", Ct), HttpStatusCode.NotFound, "Run not found");
        await AssertDetailAsync(await server.Client.GetAsync($"/workflows/runs/{id}/live_status", Ct), HttpStatusCode.NotFound, "Run not found");
        await AssertDetailAsync(await server.Client.GetAsync($"/workflows/runs/{id}/results/download-links", Ct), HttpStatusCode.NotFound, "Run not found");
        await AssertDetailAsync(await server.Client.PostAsJsonAsync($"/workflows/cancel?job_id={id}", new { }, Ct), HttpStatusCode.NotFound, "Run not found");
        await AssertDetailAsync(await server.Client.PostAsync($"/workflows/resume?job_id={id}", null, Ct), HttpStatusCode.NotFound, "Run not found");
    }

    [Fact]
    public async Task Cancel_without_job_id_is_422_at_query_job_id()
    {
        await using var server = await TestServer.StartAsync();
        var item = await AssertUnprocessableAsync(await server.Client.PostAsJsonAsync("/workflows/cancel", new { }, Ct));
        Assert.Equal(["query", "job_id"], item.GetProperty("loc").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Download_links_in_a_format_the_run_did_not_ask_for_is_400_naming_the_format()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = new { a = 1 } }, "&result_formats=ndjson");
        await server.WaitForRunAsync(runId);
        var json = await server.Client.GetAsync($"/workflows/runs/{runId}/results/download-links?format=json", Ct);
        await AssertDetailAsync(json, HttpStatusCode.BadRequest, "json", "result_formats=json");
        var xml = await server.Client.GetAsync($"/workflows/runs/{runId}/results/download-links?format=xml", Ct);
        await AssertDetailAsync(xml, HttpStatusCode.BadRequest, "'format'", "xml");

        // The formats it did ask for still answer.
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync($"/workflows/runs/{runId}/results/download-links?format=ndjson", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync($"/workflows/runs/{runId}/results/download-links?format=csv", Ct)).StatusCode);
    }

    // ---------------------------------------------------------------- upload handles

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

    [Fact]
    public async Task A_read_only_key_may_neither_upload_nor_start_a_run()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        using var reader = server.NewClient(await server.CreateKeyAsync("default", readOnly: true));
        Assert.Equal("Access denied", await AssertDetailAsync(await UploadRawAsync(server, "a.csv", Encoding.UTF8.GetBytes("a\n1\n"), reader), HttpStatusCode.Forbidden));
        Assert.Equal("Access denied", await AssertDetailAsync(
            await reader.PostAsJsonAsync($"/workflows/run?workflow_id={workflow}", new { webhook_payload = new { a = 1 } }, Ct), HttpStatusCode.Forbidden));
        Assert.Equal(0, await RunCountAsync(server));
        Assert.Empty(StoredFiles(server, "uploads"));
    }

    // ---------------------------------------------------------------- uploads

    [Theory]
    [InlineData("setup.exe")]
    [InlineData("leads.xlsx")]
    [InlineData("leads")]
    public async Task Upload_of_an_unsupported_type_is_415_naming_the_type(string fileName)
    {
        await using var server = await TestServer.StartAsync();
        var response = await UploadRawAsync(server, fileName, Encoding.UTF8.GetBytes("MZ\0\0name\nann\n"));
        var extension = Path.GetExtension(fileName);
        await AssertDetailAsync(response, HttpStatusCode.UnsupportedMediaType, fileName, extension.Length > 0 ? extension : "(none)", ".csv");
        Assert.Empty(StoredFiles(server, "uploads"));
    }

    [Theory]
    [InlineData("empty.csv")]
    [InlineData("empty.json")]
    [InlineData("empty.jsonl")]
    public async Task Upload_of_an_empty_file_is_400_naming_line_1(string fileName)
    {
        await using var server = await TestServer.StartAsync();
        await AssertDetailAsync(await UploadRawAsync(server, fileName, []), HttpStatusCode.BadRequest, fileName, "line 1");
        Assert.Empty(StoredFiles(server, "uploads"));
    }

    [Theory]
    [InlineData("name,score\n", "line 1")]
    [InlineData("name,score\r\n\r\n\r\n", "line 1")]
    [InlineData("\n\nname,score\n", "line 3")]
    public async Task Upload_of_a_csv_with_a_header_but_no_rows_is_400_naming_the_header_line(string csv, string line)
    {
        await using var server = await TestServer.StartAsync();
        await AssertDetailAsync(await UploadRawAsync(server, "header-only.csv", Encoding.UTF8.GetBytes(csv)), HttpStatusCode.BadRequest, "no rows", line);
        Assert.Empty(StoredFiles(server, "uploads"));
    }

    [Theory]
    [InlineData("blank-lines")]
    [InlineData("nul-in-header")]
    [InlineData("invalid-utf8-header")]
    [InlineData("unterminated-header")]
    public async Task Upload_of_a_csv_without_a_readable_header_is_400_naming_line_1(string kind)
    {
        await using var server = await TestServer.StartAsync();
        var content = kind switch
        {
            "blank-lines" => Bytes("\n\n\r\n"),
            "nul-in-header" => Bytes("na", new byte[] { 0 }, "me,score\nann,1\n"),
            "invalid-utf8-header" => Bytes("na", new byte[] { 0xFF, 0xFE }, "me,score\nann,1\n"),
            _ => Bytes("\"name,score\nann,1\n"),
        };
        await AssertDetailAsync(await UploadRawAsync(server, "no-header.csv", content), HttpStatusCode.BadRequest, "no-header.csv", "line 1");
        Assert.Empty(StoredFiles(server, "uploads"));
    }

    [Theory]
    [InlineData("rows.json", "[]", "line 1")]
    [InlineData("rows.json", "  \n\n", "line 1")]
    [InlineData("rows.json", "{\"a\": 1}", "byte 0")]
    [InlineData("rows.json", "[1, 2]", "element 0")]
    [InlineData("rows.jsonl", "\n\n", "line")]
    [InlineData("rows.jsonl", "not json\n{\"a\": 1}\n", "line 1")]
    [InlineData("rows.ndjson", "[1]\n", "line 1")]
    public async Task Upload_of_unreadable_json_is_400_naming_the_line(string fileName, string content, string place)
    {
        await using var server = await TestServer.StartAsync();
        await AssertDetailAsync(await UploadRawAsync(server, fileName, Encoding.UTF8.GetBytes(content)), HttpStatusCode.BadRequest, fileName, place);
        Assert.Empty(StoredFiles(server, "uploads"));
    }

    [Fact]
    public async Task Upload_without_a_file_part_or_not_multipart_is_400_naming_the_part()
    {
        await using var server = await TestServer.StartAsync();
        using (var form = new MultipartFormDataContent())
        {
            form.Add(new StringContent("name\nann\n"), "document", "leads.csv");
            await AssertDetailAsync(await server.Client.PostAsync("/storage/csv/upload", form, Ct), HttpStatusCode.BadRequest, "'file'");
        }

        using var raw = new StringContent("name\nann\n", Encoding.UTF8, "text/csv");
        await AssertDetailAsync(await server.Client.PostAsync("/storage/csv/upload", raw, Ct), HttpStatusCode.BadRequest, "multipart/form-data", "'file'");
        Assert.Empty(StoredFiles(server, "uploads"));
    }

    [Theory]
    [InlineData(10 * 1024)]
    [InlineData(1024 * 1024)]
    public async Task Upload_over_MaxUploadBytes_is_413_naming_the_limit_and_keeps_nothing(int size)
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Limits:MaxUploadBytes"] = "4096" });
        var csv = new StringBuilder(GoodCsvHeader);
        for (var i = 0; csv.Length < size; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"lead {i},{i}\n");
        }

        await AssertDetailAsync(await UploadRawAsync(server, "big.csv", Encoding.UTF8.GetBytes(csv.ToString())), HttpStatusCode.RequestEntityTooLarge, "4096", "MaxUploadBytes");
        Assert.Empty(StoredFiles(server, "uploads"));

        // The server still takes an upload under the limit.
        await server.UploadAsync("small.csv", Encoding.UTF8.GetBytes("name,score\nann,1\n"));
    }

    // ---------------------------------------------------------------- malformed CSV records

    [Fact]
    public async Task A_lenient_read_rejects_each_malformed_line_with_its_number_and_keeps_every_good_row_in_order()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.ReadCsvOnly);
        var content = Bytes(
            GoodCsvHeader,                               // line 1
            "ann,1\n",                                   // line 2
            BadRecord("ragged", "bob"),                  // line 3
            "cid,3\n",                                   // line 4
            BadRecord("invalid-utf8", "dee"),            // line 5
            "eve,5\n",                                   // line 6
            BadRecord("nul", "fay"),                     // line 7
            "gus,7\n",                                   // line 8
            BadRecord("huge-field", "hal"),              // line 9
            "\"ida\",\"8\"\n",                           // line 10
            BadRecord("unterminated-quote", "jo"));      // line 11 (to the end of the file)
        var handle = await server.UploadAsync("messy.csv", content);
        var runId = await server.StartRunAsync(workflow, new { specs_override = new { resource_handle_id = handle } }, "&result_formats=ndjson");
        var live = await server.WaitForRunAsync(runId, TimeSpan.FromSeconds(120));
        Assert.Equal("completed", live.GetProperty("overall_status").GetString());

        Assert.Equal(["ann", "cid", "eve", "gus", "ida"], await FinalNamesAsync(server, runId));
        var rejects = await RejectsAsync(server, runId);
        Assert.Equal([3L, 5L, 7L, 9L, 11L], rejects.Select(r => r.GetProperty("line").GetInt64()));
        Assert.Equal([1L, 3L, 5L, 7L, 9L], rejects.Select(r => r.GetProperty("row_index").GetInt64()));
        var kinds = new[] { "ragged", "invalid-utf8", "nul", "huge-field", "unterminated-quote" };
        for (var i = 0; i < kinds.Length; i++)
        {
            var reason = rejects[i].GetProperty("reason").GetString()!;
            Assert.True(reason.Contains(ReasonFragment(kinds[i]), StringComparison.OrdinalIgnoreCase), $"reason for {kinds[i]} on line {rejects[i].GetProperty("line")}: {reason}");
            Assert.Equal("input", rejects[i].GetProperty("block_id").GetString());
            Assert.True(rejects[i].GetProperty("row").GetProperty("raw").GetString()!.Length <= 1024);
        }

        var run = (await server.Client.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}", Ct)).GetProperty("metrics");
        Assert.Equal(5, run.GetProperty("rows_out").GetInt64());
        Assert.Equal(5, run.GetProperty("rows_rejected").GetInt64());
    }

    [Theory]
    [MemberData(nameof(BadRecordKinds))]
    public async Task A_strict_read_fails_the_run_naming_the_bad_line(string kind)
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.ReadCsvStrict);
        var content = Bytes(GoodCsvHeader, "ann,1\n", BadRecord(kind, "bob"), kind == "unterminated-quote" ? "" : "cid,3\n");
        var handle = await server.UploadAsync("messy.csv", content);
        var runId = await server.StartRunAsync(workflow, new { specs_override = new { resource_handle_id = handle } });
        var live = await server.WaitForRunAsync(runId, TimeSpan.FromSeconds(120));
        Assert.Equal("failed", live.GetProperty("overall_status").GetString());
        var message = live.GetProperty("error_message").GetString() ?? "";
        Assert.True(message.Contains("line 3", StringComparison.Ordinal), $"error_message should name line 3: {message}");
        Assert.True(message.Contains(ReasonFragment(kind), StringComparison.OrdinalIgnoreCase), $"error_message should say what is wrong: {message}");
        Assert.Contains("'input'", message, StringComparison.Ordinal);

        var listed = Assert.Single((await server.Client.GetFromJsonAsync<JsonElement>("/workflows/runs?status=failed", Ct)).EnumerateArray());
        Assert.Equal(message, listed.GetProperty("error_message").GetString());

        // The failed run's links still answer, and whatever it kept is marked partial.
        var links = await server.DownloadLinksAsync(runId);
        Assert.All(links.EnumerateArray(), l => Assert.StartsWith("Partial results", l.GetProperty("message").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_lenient_jsonl_read_rejects_bad_lines_with_their_numbers()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.ReadCsvOnly);
        var handle = await server.UploadAsync("rows.jsonl", Encoding.UTF8.GetBytes("{\"name\": \"ann\"}\n{\"name\": \n[1]\n\n{\"name\": \"cid\"}\n"));
        var runId = await server.StartRunAsync(workflow, new { specs_override = new { resource_handle_id = handle } }, "&result_formats=ndjson");
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());
        Assert.Equal(["ann", "cid"], await FinalNamesAsync(server, runId));
        var rejects = await RejectsAsync(server, runId);
        Assert.Equal([2L, 3L], rejects.Select(r => r.GetProperty("line").GetInt64()));
        Assert.All(rejects, r => Assert.False(string.IsNullOrWhiteSpace(r.GetProperty("reason").GetString())));
    }

    [Fact]
    public async Task A_json_array_cut_off_mid_file_fails_the_run_naming_where_it_ends()
    {
        // The upload check reads only the start of a file, so a .json array cut off later is accepted; the run
        // keeps the rows before the cut and fails naming the byte where the input ends (a source failure fails the run).
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.ReadCsvOnly);
        var handle = await server.UploadAsync("cut.json", Encoding.UTF8.GetBytes("[{\"name\": \"ann\"}, {\"name\": \"bob\"}, {\"name\": "));
        var runId = await server.StartRunAsync(workflow, new { specs_override = new { resource_handle_id = handle } });
        var live = await server.WaitForRunAsync(runId);
        Assert.Equal("failed", live.GetProperty("overall_status").GetString());
        var message = live.GetProperty("error_message").GetString()!;
        Assert.Contains("'input'", message, StringComparison.Ordinal);
        Assert.Contains("byte", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_strict_run_leaves_a_good_run_started_at_the_same_time_complete()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Engine:ChunkSize"] = "500" });
        var goodWorkflow = await server.CreateWorkflowAsync(Definitions.ReadCsvTransform);
        var badWorkflow = await server.CreateWorkflowAsync(Definitions.ReadCsvStrict);
        const int rows = 20_000;
        var good = new StringBuilder(GoodCsvHeader);
        var bad = new StringBuilder(GoodCsvHeader);
        for (var i = 0; i < rows; i++)
        {
            good.Append(CultureInfo.InvariantCulture, $"lead {i:D5},{i}\n");
            bad.Append(CultureInfo.InvariantCulture, $"lead {i:D5},{i}{(i == 3000 ? ",extra" : "")}\n");
        }

        var goodHandle = await server.UploadAsync("good.csv", Encoding.UTF8.GetBytes(good.ToString()));
        var badHandle = await server.UploadAsync("bad.csv", Encoding.UTF8.GetBytes(bad.ToString()));
        var started = await Task.WhenAll(
            server.StartRunAsync(badWorkflow, new { specs_override = new { resource_handle_id = badHandle } }),
            server.StartRunAsync(goodWorkflow, new { specs_override = new { resource_handle_id = goodHandle } }, "&result_formats=ndjson"),
            server.StartRunAsync(badWorkflow, new { specs_override = new { resource_handle_id = badHandle } }));
        var ended = await Task.WhenAll(started.Select(id => server.WaitForRunAsync(id, TimeSpan.FromSeconds(120))));

        Assert.Equal("failed", ended[0].GetProperty("overall_status").GetString());
        Assert.Equal("failed", ended[2].GetProperty("overall_status").GetString());
        Assert.All(new[] { ended[0], ended[2] }, e => Assert.Contains("line 3002", e.GetProperty("error_message").GetString(), StringComparison.Ordinal));

        Assert.Equal("completed", ended[1].GetProperty("overall_status").GetString());
        Assert.Equal(JsonValueKind.Null, ended[1].GetProperty("error_message").ValueKind);
        var names = await FinalNamesAsync(server, started[1]);
        Assert.Equal(Enumerable.Range(0, rows).Select(i => $"LEAD {i:D5}"), names);
        var links = await server.DownloadLinksAsync(started[1]);
        Assert.DoesNotContain(links.EnumerateArray(), l => l.GetProperty("filename").GetString() == "rejects.ndjson");
    }
}

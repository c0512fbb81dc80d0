using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Export;

/// <summary><c>export</c> to a real receiver on a loopback port: batches, keys, headers, retries and failures.</summary>
public sealed class ExportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly Dictionary<string, string?> AllowLoopback = new() { ["Outbound:Allow:0"] = "127.0.0.1/32" };

    private static string Definition(JsonObject destination) => new JsonObject
    {
        ["blocks"] = new JsonArray(
            new JsonObject { ["sequence_number"] = 1, ["block_name"] = "webhook", ["block_id"] = "input" },
            new JsonObject { ["sequence_number"] = 2, ["block_name"] = "export", ["block_id"] = "ship", ["specs"] = new JsonObject { ["destination"] = destination } }),
        ["edges"] = new JsonArray(new JsonObject { ["from_block_id"] = "input", ["to_block_id"] = "ship" }),
    }.ToJsonString();

    private static JsonObject Http(string url, int batchSize = 500, int retryDelayMs = 10, int maxAttempts = 4) => new()
    {
        ["type"] = "http",
        ["url"] = url,
        ["batch_size"] = batchSize,
        ["retry_delay_ms"] = retryDelayMs,
        ["max_attempts"] = maxAttempts,
        ["timeout_seconds"] = 10,
    };

    private static object[] Leads(int count) => [.. Enumerable.Range(0, count).Select(i => new { id = i, email = $"lead{i}@example.com" })];

    private static async Task<(TestServer Server, string RunId, JsonElement Live)> RunAsync(JsonObject destination, object[] payload, IDictionary<string, string?>? settings = null)
    {
        var server = await TestServer.StartAsync(settings ?? AllowLoopback);
        var workflow = await server.CreateWorkflowAsync(Definition(destination));
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = payload }, "&result_formats=ndjson");
        return (server, runId, await server.WaitForRunAsync(runId));
    }

    private static List<JsonElement> Rejects(JsonElement links) =>
        links.EnumerateArray().FirstOrDefault(l => l.GetProperty("filename").GetString() == "rejects.ndjson") is { ValueKind: JsonValueKind.Object } file
            ? [.. file.GetProperty("results").EnumerateArray()]
            : [];

    [Fact]
    public async Task Rows_go_in_batches_of_batch_size_per_chunk_with_stable_keys_and_every_row_once_in_order()
    {
        await using var receiver = await ExportReceiver.StartAsync();
        var settings = new Dictionary<string, string?>(AllowLoopback) { ["Engine:ChunkSize"] = "1000", ["Engine:Workers"] = "4" };
        var (server, runId, live) = await RunAsync(Http(receiver.Url, batchSize: 500), Leads(2_345), settings);
        await using var _ = server;
        Assert.Equal("completed", live.GetProperty("overall_status").GetString());

        // Chunks of 1,000, 1,000 and 345 rows: 2 + 2 + 1 batches, numbered chunk * 1,000,000 + index in chunk.
        var batches = receiver.Batches.Values.OrderBy(b => b.Batch).ToList();
        Assert.Equal(new long[] { 0, 1, 1_000_000, 1_000_001, 2_000_000 }, batches.Select(b => b.Batch));
        Assert.Equal(new[] { 500, 500, 500, 500, 345 }, batches.Select(b => b.Rows.Length));
        Assert.Equal(5, receiver.Requests.Count);
        foreach (var batch in batches)
        {
            Assert.Equal($"{runId}:ship:{batch.Batch}", batch.Key);
            Assert.Equal(runId, batch.Body.GetProperty("run_id").GetString());
            Assert.Equal("ship", batch.Body.GetProperty("block_id").GetString());
        }

        Assert.Equal(Enumerable.Range(0, 2_345), batches.SelectMany(b => b.Rows).Select(r => r.GetProperty("id").GetInt32()));
        var output = await server.DownloadFinalAsync(runId, "ndjson");
        Assert.Equal(2_345, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Rows_keep_their_json_types_and_the_destination_headers_are_sent()
    {
        await using var receiver = await ExportReceiver.StartAsync();
        var destination = Http(receiver.Url);
        destination["headers"] = new JsonObject { ["Authorization"] = "Bearer s3cret", ["X-Tenant"] = "acme" };
        object[] payload = [new { id = 1, score = 2.5, ok = true, tags = new[] { "a", "b" }, name = "Ada", none = (string?)null }];
        var (server, _, live) = await RunAsync(destination, payload);
        await using var _ = server;
        Assert.Equal("completed", live.GetProperty("overall_status").GetString());

        var request = Assert.Single(receiver.Requests);
        Assert.Equal("Bearer s3cret", request.Headers["Authorization"]);
        Assert.Equal("acme", request.Headers["X-Tenant"]);
        Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);
        var row = Assert.Single(request.Rows);
        Assert.Equal(JsonValueKind.Number, row.GetProperty("id").ValueKind);
        Assert.Equal(2.5, row.GetProperty("score").GetDouble());
        Assert.Equal(JsonValueKind.True, row.GetProperty("ok").ValueKind);
        Assert.Equal(["a", "b"], row.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(JsonValueKind.Null, row.GetProperty("none").ValueKind);
    }

    [Fact]
    public async Task A_500_is_retried_with_the_same_idempotency_key_until_it_succeeds()
    {
        await using var receiver = await ExportReceiver.StartAsync();
        receiver.Answer = (_, attempt) => attempt <= 2 ? new ExportAnswer(500, "busy") : null;
        var (server, runId, live) = await RunAsync(Http(receiver.Url, batchSize: 10), Leads(30));
        await using var _ = server;
        Assert.Equal("completed", live.GetProperty("overall_status").GetString());

        Assert.Equal(9, receiver.Requests.Count);
        Assert.All(receiver.Requests.GroupBy(r => r.Key), g => Assert.Equal(3, g.Count()));
        Assert.Equal(3, receiver.BatchCount);
        Assert.Empty(Rejects(await server.DownloadLinksAsync(runId, "rejects")));
        Assert.Equal(30, (await server.DownloadFinalAsync(runId, "ndjson")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_429_waits_as_long_as_retry_after_says_in_seconds_or_as_a_date(bool asDate)
    {
        await using var receiver = await ExportReceiver.StartAsync();
        receiver.Answer = (_, attempt) => attempt == 1
            ? new ExportAnswer(429, "slow down", asDate ? DateTimeOffset.UtcNow.AddSeconds(2).ToString("R", CultureInfo.InvariantCulture) : "1")
            : null;
        var (server, _, live) = await RunAsync(Http(receiver.Url, retryDelayMs: 1), Leads(5));
        await using var _ = server;
        Assert.Equal("completed", live.GetProperty("overall_status").GetString());

        var attempts = receiver.Requests.ToList();
        Assert.Equal(2, attempts.Count);
        Assert.Equal(attempts[0].Key, attempts[1].Key);
        var waited = attempts[1].ReceivedAt - attempts[0].ReceivedAt;
        Assert.True(waited >= TimeSpan.FromMilliseconds(900), $"the retry came after {waited.TotalMilliseconds:0} ms, before Retry-After");
        Assert.Equal(1, receiver.BatchCount);
    }

    [Fact]
    public async Task A_400_fails_the_batch_rows_to_rejects_with_the_status_and_answer_and_the_run_still_completes()
    {
        await using var receiver = await ExportReceiver.StartAsync();
        receiver.Answer = (request, _) => request.Batch == 1 ? new ExportAnswer(400, "{\"error\": \"field email is invalid\"}") : null;
        var (server, runId, live) = await RunAsync(Http(receiver.Url, batchSize: 10), Leads(30));
        await using var _ = server;
        Assert.Equal("completed", live.GetProperty("overall_status").GetString());

        Assert.Equal(3, receiver.Requests.Count); // a 400 is not retried
        var rejects = Rejects(await server.DownloadLinksAsync(runId, "rejects"));
        Assert.Equal(Enumerable.Range(10, 10), rejects.Select(r => r.GetProperty("row").GetProperty("id").GetInt32()));
        Assert.All(rejects, r =>
        {
            var reason = r.GetProperty("reason").GetString()!;
            Assert.Contains("answered 400", reason, StringComparison.Ordinal);
            Assert.Contains("field email is invalid", reason, StringComparison.Ordinal);
            Assert.Equal("ship", r.GetProperty("block_id").GetString());
        });
        var exported = (await server.DownloadFinalAsync(runId, "ndjson")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetInt32());
        Assert.Equal(Enumerable.Range(0, 10).Concat(Enumerable.Range(20, 10)), exported);
    }

    [Fact]
    public async Task A_destination_failing_forever_fails_the_rows_after_max_attempts_and_the_run_still_completes()
    {
        await using var receiver = await ExportReceiver.StartAsync();
        receiver.Answer = (_, _) => new ExportAnswer(503, "down");
        var (server, runId, live) = await RunAsync(Http(receiver.Url, batchSize: 10, maxAttempts: 3), Leads(5));
        await using var _ = server;
        Assert.Equal("completed", live.GetProperty("overall_status").GetString());

        Assert.Equal(3, receiver.Requests.Count);
        var rejects = Rejects(await server.DownloadLinksAsync(runId, "rejects"));
        Assert.Equal(5, rejects.Count);
        Assert.All(rejects, r => Assert.Contains("answered 503: down (gave up after 3 attempts)", r.GetProperty("reason").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_loopback_url_is_refused_without_the_allow_list_and_its_rows_fail_without_a_request()
    {
        await using var receiver = await ExportReceiver.StartAsync();
        var (server, runId, live) = await RunAsync(Http(receiver.Url), Leads(3), new Dictionary<string, string?>());
        await using var _ = server;
        Assert.Equal("completed", live.GetProperty("overall_status").GetString());

        Assert.Empty(receiver.Requests);
        var rejects = Rejects(await server.DownloadLinksAsync(runId, "rejects"));
        Assert.Equal(3, rejects.Count);
        Assert.All(rejects, r => Assert.Contains("is refused", r.GetProperty("reason").GetString(), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"type": "http", "url": "ftp://example.com/in"}""", "scheme 'ftp'")]
    [InlineData("""{"type": "http", "url": "file:///etc/passwd"}""", "scheme 'file'")]
    [InlineData("""{"type": "http", "url": "not a url"}""", "destination.url")]
    [InlineData("""{"type": "http"}""", "destination.url is required")]
    [InlineData("""{"type": "s3", "url": "https://example.com/in"}""", "destination.type 's3'")]
    [InlineData("""{"type": "http", "url": "https://example.com/in", "batch_size": 0}""", "batch_size")]
    [InlineData("""{"type": "http", "url": "https://example.com/in", "batch_size": 10001}""", "batch_size")]
    [InlineData("""{"type": "http", "url": "https://example.com/in", "headers": {"Idempotency-Key": "x"}}""", "Idempotency-Key")]
    [InlineData("""{"type": "http", "url": "https://example.com/in", "headers": {"X-Count": 3}}""", "headers")]
    public async Task A_bad_destination_is_400_at_validation_naming_the_block(string destination, string fragment)
    {
        await using var server = await TestServer.StartAsync();
        var response = await server.Client.PostAsJsonAsync("/workflows/create_workflow", new
        {
            workflow_name = "export",
            workflow_definition = JsonDocument.Parse(Definition(JsonNode.Parse(destination)!.AsObject())).RootElement,
        }, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'ship'", text, StringComparison.Ordinal);
        Assert.Contains(fragment, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_secret_header_value_never_appears_in_a_validation_message()
    {
        await using var server = await TestServer.StartAsync();
        var destination = new JsonObject { ["type"] = "http", ["url"] = "https://example.com/in", ["headers"] = new JsonObject { ["Authorization"] = "Bearer top\nsecret" } };
        var response = await server.Client.PostAsJsonAsync("/workflows/create_workflow", new
        {
            workflow_name = "export",
            workflow_definition = JsonDocument.Parse(Definition(destination)).RootElement,
        }, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Authorization", text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
    }
}

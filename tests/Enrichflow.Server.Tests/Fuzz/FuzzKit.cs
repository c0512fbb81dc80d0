using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Fakes;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Fuzz;

/// <summary>
/// A real server (with a fake Sixtyfour, OpenAI and Slack behind its providers) that fuzz properties send requests
/// to. Every answer is checked the same way: never a 5xx, an error body that is JSON with a <c>detail</c>, and no
/// request that hangs (each has a timeout). Runs that a property starts are remembered, and <see cref="DisposeAsync"/>'s
/// caller first proves with <see cref="AssertHealthyAsync"/> that each reached a terminal state and that the server
/// still does its job.
/// </summary>
internal sealed class FuzzKit : IAsyncDisposable
{
    /// <summary>How many times the default iterations a property runs (<c>ENRICHFLOW_FUZZ_SCALE</c>, for long local sessions).</summary>
    public static readonly double Scale = double.TryParse(Environment.GetEnvironmentVariable("ENRICHFLOW_FUZZ_SCALE"), System.Globalization.CultureInfo.InvariantCulture, out var s) && s > 0 ? s : 1;

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The catalogue's examples send to example.com hosts, which do not resolve here; they go to the fake server instead.</summary>
    private static readonly System.Text.RegularExpressions.Regex ExampleHosts = new(@"https?://[a-z0-9.-]*example\.com", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));

    private readonly FakeProviderServer _providers;
    private readonly FakeSlackServer _slack;
    private readonly ConcurrentDictionary<string, byte> _runs = new(StringComparer.Ordinal);
    private int _requests;

    private FuzzKit(TestServer server, FakeProviderServer providers, FakeSlackServer slack, IReadOnlyList<CatalogueBlock> catalogue)
    {
        Server = server;
        _providers = providers;
        _slack = slack;
        Catalogue = catalogue;
        Client = server.NewClient(server.ApiKey);
        Client.Timeout = RequestTimeout;
    }

    public TestServer Server { get; }

    public HttpClient Client { get; }

    public IReadOnlyList<CatalogueBlock> Catalogue { get; }

    public int Requests => _requests;

    public static int Iterations(int count) => Math.Max(1, (int)(count * Scale));

    public static async Task<FuzzKit> StartAsync(CancellationToken cancellationToken)
    {
        var providers = await FakeProviderServer.StartAsync(new FakeProviderOptions(), cancellationToken);
        var slack = await FakeSlackServer.StartAsync(cancellationToken);
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Engine:ChunkSize"] = "7",
            ["Limits:RequestsPerSecondPerKey"] = "0",
            ["Slack:Webhooks:sales"] = slack.WebhookUrl("T000/B000/sales").AbsoluteUri,
            ["Outbound:Allow:0"] = "127.0.0.1/32",
        };
        foreach (var part in new[] { providers.ProviderConfiguration("s64", "sixtyfour"), providers.ProviderConfiguration("gpt", "openai_compatible"), providers.ProviderConfiguration("site", "website") })
        {
            foreach (var (key, value) in part)
            {
                settings[key] = value;
            }
        }

        var server = await TestServer.StartAsync(settings);
        var blocks = await server.Client.GetFromJsonAsync<JsonElement>("/workflows/blocks", cancellationToken);
        var catalogue = blocks.EnumerateArray()
            .Select(b => new CatalogueBlock(
                b.GetProperty("block_name").GetString()!,
                b.GetProperty("role").GetString()!,
                b.GetProperty("specs_schema").TryGetProperty("examples", out var examples) && examples.ValueKind == JsonValueKind.Array && examples.GetArrayLength() > 0
                    ? JsonNode.Parse(ExampleHosts.Replace(examples[0].GetRawText(), providers.BaseUrl.AbsoluteUri.TrimEnd('/')))
                    : null))
            .ToList();
        return new FuzzKit(server, providers, slack, catalogue);
    }

    /// <summary>Sends a request and checks its answer; returns the status and the body's text.</summary>
    public async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken, HttpClient? client = null)
    {
        Interlocked.Increment(ref _requests);
        var described = $"{request.Method} {request.RequestUri}";
        HttpResponseMessage response;
        try
        {
            response = await (client ?? Client).SendAsync(request, cancellationToken);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new Xunit.Sdk.XunitException($"{described} did not answer within {RequestTimeout.TotalSeconds} s");
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var status = (int)response.StatusCode;
            Assert.True(status < 500, $"{described} answered {status}: {Shorten(body)}");
            if (status >= 400 && !RefusedByKestrel(request.RequestUri, status, body))
            {
                AssertErrorBody(described, status, body);
            }

            return (response.StatusCode, body);
        }
    }

    public Task<(HttpStatusCode Status, string Body)> PostJsonAsync(string path, JsonNode? body, CancellationToken cancellationToken, HttpClient? client = null) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body?.ToJsonString() ?? "null", Encoding.UTF8, "application/json") }, cancellationToken, client);

    public async Task<(HttpStatusCode Status, string Body)> UploadAsync(string fileName, byte[] content, CancellationToken cancellationToken, string field = "file")
    {
        var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(content), field, fileName);
        return await SendAsync(new HttpRequestMessage(HttpMethod.Post, "/storage/csv/upload") { Content = form }, cancellationToken);
    }

    /// <summary>Remembers the run a successful start answered, so the end of the property can wait for it.</summary>
    public string? Track(HttpStatusCode status, string body)
    {
        if (status != HttpStatusCode.OK)
        {
            return null;
        }

        var id = JsonNode.Parse(body)?["job_id"]?.GetValue<string>();
        if (id is not null)
        {
            _runs.TryAdd(id, 0);
        }

        return id;
    }

    /// <summary>A workflow that must be created (the property's fixed ground to run inputs through).</summary>
    public Task<string> CreateWorkflowAsync(string definition) => Server.CreateWorkflowAsync(definition);

    /// <summary>
    /// Every tracked run reaches a terminal state (none hangs), the server is ready, and a known-good run over
    /// known rows still gives exactly the right output.
    /// </summary>
    public async Task AssertHealthyAsync(CancellationToken cancellationToken)
    {
        // Generated specs may legitimately work for long (an export retrying 20 times a minute apart): the runs get a
        // while to end by themselves, and those still at work are cancelled, which must end them promptly.
        var natural = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var pending = new List<string>(_runs.Keys);
        while (pending.Count > 0 && DateTime.UtcNow < natural)
        {
            pending = [.. await StillActiveAsync(pending, cancellationToken)];
            await Task.Delay(200, cancellationToken);
        }

        CancelledAtEnd = pending.Count;
        foreach (var runId in pending)
        {
            using var cancel = await Client.PostAsync($"/workflows/cancel?job_id={runId}", null, cancellationToken);
            Assert.True(cancel.IsSuccessStatusCode, $"cancelling run {runId} answered {(int)cancel.StatusCode}");
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (pending.Count > 0)
        {
            pending = [.. await StillActiveAsync(pending, cancellationToken)];
            if (pending.Count > 0 && DateTime.UtcNow >= deadline)
            {
                Assert.Fail($"{pending.Count} runs did not end within a minute of being cancelled, e.g. {pending[0]}");
            }

            await Task.Delay(200, cancellationToken);
        }

        using (var ready = await Client.GetAsync("/readyz", cancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        var workflow = await Server.CreateWorkflowAsync(Definitions.ReadCsvTransform.Replace("read_csv", "webhook", StringComparison.Ordinal));
        var rows = Enumerable.Range(0, 25).Select(i => new { name = $"lead {i}", email = $"l{i}@example.com" }).ToArray();
        var runIdAfter = await Server.StartRunAsync(workflow, new { webhook_payload = rows });
        var end = await Server.WaitForRunAsync(runIdAfter);
        Assert.Equal("completed", end.GetProperty("overall_status").GetString());
        var csv = await Server.DownloadFinalAsync(runIdAfter);
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(26, lines.Length);
        Assert.Contains("LEAD 24", csv, StringComparison.Ordinal);
    }

    public int TrackedRuns => _runs.Count;

    /// <summary>How many runs were still at work a minute after the fuzzing and were cancelled.</summary>
    public int CancelledAtEnd { get; private set; }

    private async Task<List<string>> StillActiveAsync(List<string> runIds, CancellationToken cancellationToken)
    {
        var active = new List<string>();
        foreach (var runId in runIds)
        {
            var live = await Client.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}/live_status", cancellationToken);
            if (live.GetProperty("overall_status").GetString() is not ("completed" or "failed" or "cancelled"))
            {
                active.Add(runId);
            }
        }

        return active;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        await _slack.DisposeAsync();
        await _providers.DisposeAsync();
    }

    /// <summary>
    /// Kestrel itself refuses a request line it cannot take (a NUL or control character in the path, a line over its 8 KiB limit) with an
    /// empty 400 or 414 before any of our code runs; that is the HTTP server's answer, not an API error.
    /// </summary>
    private static bool RefusedByKestrel(Uri? uri, int status, string body) =>
        body.Length == 0 && status is 400 or 414 && uri is not null
        && (uri.OriginalString.Contains("%00", StringComparison.Ordinal) || uri.OriginalString.Any(char.IsControl) || uri.AbsoluteUri.Length > 8 * 1024);

    /// <summary>Error answers are JSON with a <c>detail</c> (a sentence, or FastAPI's list of problems), docs/api.md §1.</summary>
    private static void AssertErrorBody(string described, int status, string body)
    {
        JsonNode? parsed = null;
        try
        {
            parsed = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
        }

        Assert.True(parsed is JsonObject o && o["detail"] is not null, $"{described} answered {status} without a JSON detail: {Shorten(body)}");
    }

    private static string Shorten(string text) => text.Length <= 2000 ? text : text[..2000] + "...";
}

using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Enrichflow.Fakes;

/// <summary>
/// A loopback HTTP server (Kestrel on 127.0.0.1, a free port) that imitates the services enrichment providers call:
/// Sixtyfour (<c>/enrich-company</c>, <c>/enrich-lead</c>, <c>/find-email</c>, <c>/find-phone</c>, the
/// <c>-async</c> variants and <c>/job-status/{task_id}</c>), an OpenAI-compatible <c>/v1/chat/completions</c>, a
/// REST vendor (<c>GET /v1/companies?domain=…</c>, <c>POST /v1/companies/search</c>) and company websites
/// (<c>/sites/{domain}/</c>, <c>about</c>, <c>contact</c>). Answers are deterministic from the request key and the
/// seed; latency, rate limit, hit rate and scripted failures are knobs that may change while it runs, and counters
/// record what arrived. Start it with <see cref="StartAsync"/> in a test or in the bench.
/// </summary>
public sealed partial class FakeProviderServer : IAsyncDisposable
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(60);

    private readonly Lock _gate = new();
    private readonly WebApplication _app;
    private readonly Dictionary<string, Queue<FakeReply>> _scripts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _calls = new(StringComparer.Ordinal);
    private readonly List<DateTimeOffset> _arrivals = [];
    private readonly Queue<DateTimeOffset> _accepted = new();
    private readonly List<FakeRequest> _requests = [];
    private readonly Dictionary<string, FakeJob> _jobs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _polledJobs = new(StringComparer.Ordinal);
    private readonly Random _random;

    private FakeReply? _always;
    private int _seed;
    private int _hitPercent;
    private string? _apiKey;
    private TimeSpan _latencyMin;
    private TimeSpan _latencyMax;
    private int _requestsPerMinute;
    private int _pollsUntilDone;
    private bool _recordRequests;
    private bool _holdJobs;
    private int _totalCalls;
    private int _inFlight;
    private int _maxInFlight;
    private int _throttled;
    private int _polls;
    private long _nextJob;

    private FakeProviderServer(WebApplication app, FakeProviderOptions options)
    {
        _app = app;
        _random = new Random(options.Seed);
        _seed = options.Seed;
        _hitPercent = options.HitPercent;
        _apiKey = options.ApiKey;
        _latencyMin = options.LatencyMin;
        _latencyMax = options.LatencyMax;
        _requestsPerMinute = options.RequestsPerMinute;
        _pollsUntilDone = options.PollsUntilDone;
        _recordRequests = options.RecordRequests;
    }

    /// <summary>The server's root, <c>http://127.0.0.1:PORT/</c>: Sixtyfour's BaseUrl and the REST vendor's.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The OpenAI-compatible BaseUrl, <c>http://127.0.0.1:PORT/v1/</c>.</summary>
    public Uri OpenAiBaseUrl => new(BaseUrl, "v1/");

    /// <summary>The home page of a fake company site.</summary>
    public Uri SiteUrl(string domain) => new(BaseUrl, $"sites/{Uri.EscapeDataString(FakeData.Key(domain))}/");

    public int Seed { get => Get(ref _seed); set => Set(ref _seed, value); }

    public int HitPercent { get => Get(ref _hitPercent); set => Set(ref _hitPercent, value); }

    public string? ApiKey
    {
        get { lock (_gate) { return _apiKey; } }
        set { lock (_gate) { _apiKey = value; } }
    }

    public TimeSpan LatencyMin
    {
        get { lock (_gate) { return _latencyMin; } }
        set { lock (_gate) { _latencyMin = value; } }
    }

    public TimeSpan LatencyMax
    {
        get { lock (_gate) { return _latencyMax; } }
        set { lock (_gate) { _latencyMax = value; } }
    }

    public int RequestsPerMinute { get => Get(ref _requestsPerMinute); set => Set(ref _requestsPerMinute, value); }

    public int PollsUntilDone { get => Get(ref _pollsUntilDone); set => Set(ref _pollsUntilDone, value); }

    public bool RecordRequests
    {
        get { lock (_gate) { return _recordRequests; } }
        set { lock (_gate) { _recordRequests = value; } }
    }

    /// <summary>
    /// While true, every job stays "processing" however often it is polled (a job of minutes, held for as long as a test
    /// needs); set false, jobs finish as <see cref="PollsUntilDone"/> says. The jobs live in this process, so they outlive
    /// an Enrichflow server killed and restarted against the fake.
    /// </summary>
    public bool HoldJobs
    {
        get { lock (_gate) { return _holdJobs; } }
        set { lock (_gate) { _holdJobs = value; } }
    }

    /// <summary>Async jobs submitted and not forgotten.</summary>
    public int Jobs
    {
        get { lock (_gate) { return _jobs.Count; } }
    }

    /// <summary>Jobs that were polled at least once (a known task id asked for at <c>/job-status</c>).</summary>
    public int JobsPolled
    {
        get { lock (_gate) { return _polledJobs.Count; } }
    }

    /// <summary>
    /// Forgets the first <paramref name="count"/> jobs (in submission order), as a provider that lost or expired them:
    /// their polls answer 404. Returns the keys the forgotten jobs were submitted for.
    /// </summary>
    public IReadOnlyList<string> ForgetJobs(int count)
    {
        lock (_gate)
        {
            var forgotten = _jobs.OrderBy(j => j.Value.Number).Take(count).ToList();
            foreach (var (taskId, _) in forgotten)
            {
                _jobs.Remove(taskId);
            }

            return [.. forgotten.Select(j => j.Value.Key)];
        }
    }

    /// <summary>Paid requests received (every API call except job-status polls), throttled ones included.</summary>
    public int TotalCalls => Get(ref _totalCalls);

    public int InFlight => Get(ref _inFlight);

    public int MaxInFlight => Get(ref _maxInFlight);

    /// <summary>429s sent because <see cref="RequestsPerMinute"/> was exceeded.</summary>
    public int Throttled => Get(ref _throttled);

    /// <summary>Job-status polls received.</summary>
    public int Polls => Get(ref _polls);

    /// <summary>When each paid request arrived, in order.</summary>
    public IReadOnlyList<DateTimeOffset> ArrivalTimes
    {
        get { lock (_gate) { return [.. _arrivals]; } }
    }

    /// <summary>Every request received, polls included, in order.</summary>
    public IReadOnlyList<FakeRequest> Requests
    {
        get { lock (_gate) { return [.. _requests]; } }
    }

    public static async Task<FakeProviderServer> StartAsync(FakeProviderOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeProviderServer(app, options);
        server.MapSixtyfour(app);
        server.MapSixtyfourAgents(app);
        server.MapOpenAi(app);
        server.MapRestVendor(app);
        server.MapSites(app);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    /// <summary>Replies for one key (normalized like the server does), consumed in order before normal answers.</summary>
    public void Script(string key, params FakeReply[] replies)
    {
        ArgumentNullException.ThrowIfNull(replies);
        lock (_gate)
        {
            var normal = FakeData.Key(key);
            if (!_scripts.TryGetValue(normal, out var queue))
            {
                _scripts[normal] = queue = new Queue<FakeReply>();
            }

            foreach (var reply in replies)
            {
                queue.Enqueue(reply);
            }
        }
    }

    /// <summary>The reply for every key without a script (null: normal answers again).</summary>
    public void AlwaysReply(FakeReply? reply)
    {
        lock (_gate)
        {
            _always = reply;
        }
    }

    /// <summary>Paid requests received for a key (normalized like the server does), job-status polls excluded.</summary>
    public int CallsFor(string key)
    {
        lock (_gate)
        {
            return _calls.GetValueOrDefault(FakeData.Key(key));
        }
    }

    /// <summary>The most paid requests that arrived within any <paramref name="window"/> (60 s for pacing).</summary>
    public int MaxCallsInWindow(TimeSpan window)
    {
        var times = ArrivalTimes;
        var best = 0;
        var start = 0;
        for (var end = 0; end < times.Count; end++)
        {
            while (times[end] - times[start] >= window)
            {
                start++;
            }

            best = Math.Max(best, end - start + 1);
        }

        return best;
    }

    /// <summary>The last request received on a path (like <c>/enrich-company</c>), or null.</summary>
    public FakeRequest? LastRequest(string path)
    {
        lock (_gate)
        {
            return _requests.LastOrDefault(r => r.Path == path);
        }
    }

    /// <summary>Forgets scripts, jobs and counters (the knobs stay).</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _scripts.Clear();
            _calls.Clear();
            _arrivals.Clear();
            _accepted.Clear();
            _requests.Clear();
            _jobs.Clear();
            _polledJobs.Clear();
            _always = null;
            _totalCalls = _inFlight = _maxInFlight = _throttled = _polls = 0;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    /// <summary>
    /// The common path of a paid request: record it, check the key, apply the rate limit, take the next scripted reply,
    /// wait the latency, then either answer the scripted failure or call <paramref name="answer"/> with the reply
    /// (null, <see cref="FakeReplyKind.SchemaViolation"/> or <see cref="FakeReplyKind.JobFailed"/>).
    /// </summary>
    private async Task PaidAsync(HttpContext http, string key, JsonNode? body, Func<string?, bool> authorized, Func<FakeReply?, Task> answer)
    {
        var now = DateTimeOffset.UtcNow;
        int? retryAfter = null;
        FakeReply? reply;
        TimeSpan latency;
        lock (_gate)
        {
            Record(http, key, body, isPoll: false);
            _arrivals.Add(now);
            _calls[key] = _calls.GetValueOrDefault(key) + 1;
            _totalCalls++;
            _maxInFlight = Math.Max(_maxInFlight, ++_inFlight);
            while (_accepted.Count > 0 && now - _accepted.Peek() >= Window)
            {
                _accepted.Dequeue();
            }

            if (_requestsPerMinute > 0 && _accepted.Count >= _requestsPerMinute)
            {
                _throttled++;
                retryAfter = Math.Max(1, (int)Math.Ceiling((_accepted.Peek() + Window - now).TotalSeconds));
            }
            else
            {
                _accepted.Enqueue(now);
            }

            reply = _scripts.TryGetValue(key, out var queue) && queue.Count > 0 ? queue.Dequeue() : _always;
            latency = _latencyMax > _latencyMin
                ? _latencyMin + TimeSpan.FromTicks((long)(_random.NextDouble() * (_latencyMax - _latencyMin).Ticks))
                : _latencyMin;
        }

        try
        {
            if (!authorized(ApiKey))
            {
                await WriteJsonAsync(http, 401, new JsonObject { ["detail"] = "Invalid API key" });
                return;
            }

            if (retryAfter is { } seconds)
            {
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await WriteJsonAsync(http, 429, new JsonObject { ["detail"] = "Rate limit exceeded" });
                return;
            }

            if (latency > TimeSpan.Zero)
            {
                await Task.Delay(latency, http.RequestAborted);
            }

            switch (reply?.Kind)
            {
                case FakeReplyKind.Hang:
                    await Task.Delay(Timeout.Infinite, http.RequestAborted);
                    break;
                case FakeReplyKind.Status:
                    if (reply.RetryAfterSeconds is { } after)
                    {
                        http.Response.Headers.RetryAfter = after.ToString(CultureInfo.InvariantCulture);
                    }

                    await WriteJsonAsync(http, reply.StatusCode, new JsonObject { ["detail"] = reply.Detail ?? DefaultDetail(reply.StatusCode) });
                    break;
                case FakeReplyKind.MalformedJson:
                    await WriteTextAsync(http, 200, "application/json", """{"structured_data": {"name": "Acme",""");
                    break;
                case FakeReplyKind.HtmlErrorPage:
                    await WriteTextAsync(http, 200, "text/html; charset=utf-8", "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>");
                    break;
                case FakeReplyKind.EmptyBody:
                    http.Response.StatusCode = 200;
                    http.Response.ContentType = "application/json";
                    break;
                default:
                    await answer(reply?.Kind is FakeReplyKind.Normal ? null : reply);
                    break;
            }
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away (a timeout on its side): nothing to answer.
        }
        finally
        {
            lock (_gate)
            {
                _inFlight--;
            }
        }
    }

    /// <summary>Keeps the request for <see cref="Requests"/> (called under the lock).</summary>
    private void Record(HttpContext http, string? key, JsonNode? body, bool isPoll)
    {
        if (!_recordRequests)
        {
            return;
        }

        var headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        _requests.Add(new FakeRequest(http.Request.Method, http.Request.Path.Value ?? "", http.Request.QueryString.Value ?? "", key, body, headers, isPoll));
    }

    private static string DefaultDetail(int status) => status switch
    {
        401 => "Invalid API key",
        402 => "Insufficient credits",
        403 => "This feature is not enabled for your tier",
        422 => "Validation error",
        429 => "Rate limit exceeded",
        _ => "Internal server error",
    };

    private static async Task<JsonNode?> ReadJsonAsync(HttpContext http)
    {
        try
        {
            return await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static Task WriteJsonAsync(HttpContext http, int status, JsonNode body) =>
        WriteTextAsync(http, status, "application/json", body.ToJsonString());

    private static async Task WriteTextAsync(HttpContext http, int status, string contentType, string text)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = contentType;
        await http.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), http.RequestAborted);
    }

    private static int Get(ref int field) => Volatile.Read(ref field);

    private static void Set(ref int field, int value) => Volatile.Write(ref field, value);

    /// <summary>An async job: the key it was submitted for, its answer, how many more polls say "processing", and whether it fails.</summary>
    private sealed class FakeJob(string key, JsonNode result, int pollsLeft, string? failure)
    {
        private static long _submitted;

        /// <summary>The order of submission.</summary>
        public long Number { get; } = Interlocked.Increment(ref _submitted);

        public string Key { get; } = key;

        public JsonNode Result { get; } = result;

        public int PollsLeft { get; set; } = pollsLeft;

        public string? Failure { get; } = failure;
    }
}

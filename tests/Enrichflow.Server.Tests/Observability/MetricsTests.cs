using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Enrichflow.Fakes;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Observability;

/// <summary>
/// <c>GET /metrics</c> scraped from a real server process (its own meters only) during and after an enrichment run
/// against the fake provider: the counters move while it runs and end equal to what live status and the fake saw.
/// </summary>
public sealed class MetricsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Definition = """
        {"blocks": [
          {"sequence_number": 1, "block_name": "webhook", "block_id": "companies", "specs": {"dataframe_type": "COMPANY"}},
          {"sequence_number": 2, "block_name": "enrich_company", "block_id": "enrich",
           "specs": {"company_field": "name", "website_field": "website", "provider": "s64",
                     "return_fields": {"country": "Country of the headquarters"}}}],
         "edges": [{"from_block_id": "companies", "to_block_id": "enrich"}]}
        """;

    private static Dictionary<string, string> Environment(FakeProviderServer fake, params (string Key, string Value)[] more)
    {
        var settings = fake.ProviderConfiguration("s64", "sixtyfour");
        settings["Providers:s64:UseAsyncJobs"] = "false";
        settings["Providers:s64:MaxConcurrency"] = "8";
        settings["Engine:ChunkSize"] = "10";
        settings["Metrics:RefreshInterval"] = "00:00:00";
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings.ToDictionary(s => "ENRICHFLOW_" + s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!, StringComparer.Ordinal);
    }

    [Fact]
    public async Task Metrics_scraped_during_a_run_move_and_end_equal_to_live_status_and_the_provider()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions { HitPercent = 100 }, Ct);
        // Every answer takes 400 ms, so the first scrape, made once the first call arrived, is made while the run runs.
        fake.LatencyMin = fake.LatencyMax = TimeSpan.FromMilliseconds(400);
        var data = ServerProcessClient.NewDataDirectory();
        await using var server = await ServerProcess.StartAsync(data, Environment(fake));
        using var http = ServerProcessClient.Create(server.BaseUrl, data);

        var before = await PrometheusText.ScrapeAsync(http, Ct);
        Assert.Equal(0, before.Sum("enrichflow_runs", "status=running"));
        Assert.Equal(0, before.Sum("enrichflow_rows_processed_total"));

        var workflow = await ServerProcessClient.CreateWorkflowAsync(http, "metrics", Definition);
        var companies = Enumerable.Range(0, 30).Select(i => new { name = $"Company {i}", website = $"https://c{i}.example" }).ToArray();
        var started = await http.PostAsJsonAsync($"/workflows/run?workflow_id={workflow}", new { webhook_payload = companies }, Ct);
        Assert.True(started.IsSuccessStatusCode, await started.Content.ReadAsStringAsync(Ct));
        var runId = (await started.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("job_id").GetString()!;

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (fake.TotalCalls == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the provider was never called");
            await Task.Delay(10, Ct);
        }

        // During the run: it counts as running, its enrichment unit is in flight, the source's rows are counted, and
        // not every provider call has been made yet.
        var during = await PrometheusText.ScrapeAsync(http, Ct);
        Assert.Equal(1, during.Sum("enrichflow_runs", "status=running"));
        Assert.True(during.Sum("enrichflow_units_in_flight") >= 1, during.Text);
        Assert.Equal(30, during.Sum("enrichflow_rows_processed_total", "block_type=webhook"));
        Assert.True(during.Sum("enrichflow_provider_calls_total", "provider=s64") < 30, during.Text);

        var live = await WaitForEndAsync(http, runId);
        Assert.Equal("completed", live.GetProperty("overall_status").GetString());
        var after = await PrometheusText.ScrapeAsync(http, Ct);

        // Rows per block type equal live status's processed count of the block.
        var blocks = live.GetProperty("blocks").EnumerateArray().ToDictionary(b => b.GetProperty("block_id").GetString()!);
        Assert.Equal(blocks["companies"].GetProperty("processed_count").GetInt64(), after.Sum("enrichflow_rows_processed_total", "block_type=webhook"));
        Assert.Equal(blocks["enrich"].GetProperty("processed_count").GetInt64(), after.Sum("enrichflow_rows_processed_total", "block_type=enrich_company"));
        Assert.Equal(30, after.Sum("enrichflow_rows_processed_total", "block_type=enrich_company"));
        Assert.True(after.Sum("enrichflow_rows_processed_total", "block_type=enrich_company") > during.Sum("enrichflow_rows_processed_total", "block_type=enrich_company"));

        // Runs by status show the completed run; nothing waits or runs.
        Assert.Equal(1, after.Sum("enrichflow_runs", "status=completed"));
        Assert.Equal(0, after.Sum("enrichflow_runs", "status=running"));
        Assert.Equal(0, after.Sum("enrichflow_units_queued"));

        // Provider calls: the counter equals the calls the fake received, and the block's paid calls and credits.
        var metrics = blocks["enrich"].GetProperty("metrics");
        Assert.Equal(fake.TotalCalls, after.Sum("enrichflow_provider_calls_total", "provider=s64"));
        Assert.Equal(metrics.GetProperty("provider_calls").GetInt64(), after.Sum("enrichflow_provider_calls_total", "provider=s64"));
        Assert.Equal(metrics.GetProperty("credits_used").GetDouble(), after.Sum("enrichflow_provider_credits_total", "provider=s64"), 6);
        Assert.Equal(fake.TotalCalls, after.Sum("enrichflow_provider_requests_total", "client=s64", "status=200"));
        Assert.Equal(fake.TotalCalls, after.Sum("enrichflow_provider_request_duration_seconds_count", "client=s64"));
        Assert.Equal(0, after.Sum("enrichflow_provider_throttled_total", "client=s64"));

        // The HTTP server's own metrics, by route; the store's size.
        Assert.True(after.Sum("http_server_request_duration_seconds_count", "http_route=/workflows/runs/{runId}/live_status") >= 1, after.Text);
        Assert.True(after.Sum("enrichflow_store_size_bytes") > 0);

        // The Grafana dashboard reads only metrics the server serves (those that count what this run had none of appear with their first).
        var dashboard = await File.ReadAllTextAsync(Path.Combine(ReadmeTests.RepositoryRoot(), "docs", "grafana", "enrichflow.json"), Ct);
        string[] notYet = ["enrichflow_rows_rejected_total", "enrichflow_rows_failed_total", "enrichflow_provider_cache_hits_total", "enrichflow_provider_throttled_total"];
        var names = System.Text.RegularExpressions.Regex.Matches(dashboard, @"\b(?:enrichflow|http_server|dotnet)_[a-z_]+").Select(m => m.Value).Distinct().ToList();
        Assert.True(names.Count >= 15, string.Join(", ", names));
        Assert.All(names.Except(notYet), name => Assert.True(after.Has(name), $"the dashboard reads {name}, which /metrics does not serve"));
    }

    [Fact]
    public async Task A_provider_answering_429_is_counted_as_throttled()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions { HitPercent = 100 }, Ct);
        fake.RequestsPerMinute = 1;
        var data = ServerProcessClient.NewDataDirectory();
        await using var server = await ServerProcess.StartAsync(data, Environment(fake));
        using var http = ServerProcessClient.Create(server.BaseUrl, data);
        var workflow = await ServerProcessClient.CreateWorkflowAsync(http, "throttled", Definition);
        var started = await http.PostAsJsonAsync($"/workflows/run?workflow_id={workflow}",
            new { webhook_payload = new[] { new { name = "A", website = "https://a.example" }, new { name = "B", website = "https://b.example" } } }, Ct);
        Assert.True(started.IsSuccessStatusCode);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (fake.Throttled == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the fake never answered 429");
            await Task.Delay(20, Ct);
        }

        // The attempt the fake throttled is counted once its answer is read; scrape until it shows.
        PrometheusText scrape;
        do
        {
            Assert.True(DateTime.UtcNow < deadline, "the 429 never showed in /metrics");
            scrape = await PrometheusText.ScrapeAsync(http, Ct);
        }
        while (scrape.Sum("enrichflow_provider_throttled_total", "client=s64") == 0);
        Assert.True(scrape.Sum("enrichflow_provider_requests_total", "client=s64", "status=429") >= 1);
    }

    [Fact]
    public async Task Metrics_need_a_key_only_when_Metrics_RequireKey_is_set()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Metrics:RequireKey"] = "true" });
        using var anonymous = server.NewClient(null);
        var refused = await anonymous.GetAsync("/metrics", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("Invalid API key", (await refused.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString());
        using var wrong = server.NewClient("ef_wrong");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/metrics", Ct)).StatusCode);
        using var readOnly = server.NewClient(await server.CreateKeyAsync("ops", readOnly: true));
        var scraped = await readOnly.GetAsync("/metrics", Ct);
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        Assert.Contains("enrichflow_runs", await scraped.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        await using var open = await TestServer.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await open.NewClient(null).GetAsync("/metrics", Ct)).StatusCode);
        await using var off = await TestServer.StartAsync(new Dictionary<string, string?> { ["Metrics:Enabled"] = "false" });
        Assert.Equal(HttpStatusCode.NotFound, (await off.NewClient(null).GetAsync("/metrics", Ct)).StatusCode);
    }

    private static async Task<JsonElement> WaitForEndAsync(HttpClient http, string runId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (true)
        {
            var live = await http.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}/live_status", Ct);
            if (live.GetProperty("overall_status").GetString() is "completed" or "failed" or "cancelled")
            {
                return live;
            }

            Assert.True(DateTime.UtcNow < deadline, $"run {runId} did not end: {live}");
            await Task.Delay(50, Ct);
        }
    }
}

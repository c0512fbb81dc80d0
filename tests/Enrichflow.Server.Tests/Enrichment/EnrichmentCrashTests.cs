using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Fakes;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Enrichment;

/// <summary>
/// "Never pay twice" across a crash: an enrichment run killed with SIGKILL mid-way and resumed repeats only the
/// provider calls that were in flight (at most the provider's MaxConcurrency), and a second run over the same rows
/// is served from the cache without a single call.
/// </summary>
public sealed class EnrichmentCrashTests(ITestOutputHelper output)
{
    private const int Rows = 1_000;
    private const int MaxConcurrency = 16;
    private const int KillAfterCalls = 300;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Pipeline = """
        {"blocks": [
          {"sequence_number": 1, "block_name": "webhook", "block_id": "companies", "specs": {"dataframe_type": "COMPANY"}},
          {"sequence_number": 2, "block_name": "enrich_company", "block_id": "enrich",
           "specs": {"company_field": "name", "website_field": "website", "provider": "s64",
                     "return_fields": {"employees": {"description": "Number of employees", "type": "int"}, "country": "Country of the headquarters"}}}],
         "edges": [{"from_block_id": "companies", "to_block_id": "enrich"}]}
        """;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_enrichment_run_killed_with_sigkill_repeats_only_the_calls_in_flight_and_a_second_run_pays_for_nothing(bool useAsyncJobs)
    {
        var data = Path.Combine(Path.GetTempPath(), "enrichflow-enrich-crash", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions
        {
            HitPercent = 70,
            LatencyMin = TimeSpan.FromMilliseconds(50),
            LatencyMax = TimeSpan.FromMilliseconds(150),
        }, Ct);
        var environment = ServerEnvironment(fake, useAsyncJobs);
        var payload = new { webhook_payload = Companies() };
        var port = ServerProcess.FreePort();
        string workflow, runId;
        await using (var first = await ServerProcess.StartAsync(data, environment, port))
        {
            using var http = ServerProcessClient.Create(first.BaseUrl, data);
            workflow = await ServerProcessClient.CreateWorkflowAsync(http, "enrich-crash", Pipeline);
            runId = await StartRunAsync(http, workflow, payload);

            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
            while (fake.TotalCalls < KillAfterCalls)
            {
                Assert.True(DateTime.UtcNow < deadline, $"the provider saw only {fake.TotalCalls} calls in time:\n{first.Output}");
                await Task.Delay(5, Ct);
            }

            await first.KillAsync();
        }

        var callsAtKill = fake.TotalCalls;
        var beforeKill = Enumerable.Range(0, Rows).Select(i => fake.CallsFor(Key(i))).ToList();
        Assert.True(callsAtKill < Rows, $"the run made all {callsAtKill} calls before it could be killed");

        await using (var second = await ServerProcess.StartAsync(data, environment, port))
        {
            using var http = ServerProcessClient.Create(second.BaseUrl, data);
            var live = await WaitForRunAsync(http, runId, second);
            Assert.Equal("completed", live.GetProperty("overall_status").GetString());

            // Every row once, in input order; found and not-found rows pass on, none is rejected.
            var links = await DownloadLinksAsync(http, runId);
            Assert.DoesNotContain(links.EnumerateArray(), l => l.GetProperty("filename").GetString() == "rejects.ndjson");
            var rows = await FinalRowsAsync(links);
            Assert.Equal(Enumerable.Range(0, Rows).Select(i => $"Company {i}"), rows.Select(r => r.GetProperty("name").GetString()));
            Assert.All(rows, r => Assert.Contains(r.GetProperty("enrich_status").GetString(), new[] { "ok", "not_found" }));

            // Every key was paid for; a key paid for twice was in flight when the server died.
            var calls = Enumerable.Range(0, Rows).Select(i => fake.CallsFor(Key(i))).ToList();
            Assert.All(Enumerable.Range(0, Rows), i => Assert.True(calls[i] >= 1, $"{Key(i)} was never sent to the provider"));
            var repeated = calls.Sum(c => Math.Max(0, c - 1));
            output.WriteLine($"async jobs: {useAsyncJobs}; calls at the kill: {callsAtKill} ({beforeKill.Count(c => c > 0)} keys); calls in all: {fake.TotalCalls}; "
                + $"most in flight at the provider: {fake.MaxInFlight}; repeated calls: {repeated} of at most {MaxConcurrency}");
            Assert.True(repeated <= MaxConcurrency,
                $"{repeated} calls were repeated after the restart, but at most {MaxConcurrency} could have been in flight: "
                + string.Join(", ", Enumerable.Range(0, Rows).Where(i => calls[i] > 1).Select(i => $"{Key(i)} x{calls[i]}")));
            Assert.Equal(Rows + repeated, fake.TotalCalls);

            // The restarted server asks once for what the first one never asked; only keys asked before the kill repeat, once.
            Assert.All(Enumerable.Range(0, Rows), i => Assert.True(beforeKill[i] == 0 ? calls[i] == 1 : beforeKill[i] == 1 && calls[i] <= 2,
                $"{Key(i)} was sent {beforeKill[i]} times before the kill and {calls[i] - beforeKill[i]} times after the restart"));

            // A second run over the same rows is answered by the cache: found and not-found alike.
            var paid = fake.TotalCalls;
            var again = await StartRunAsync(http, workflow, payload);
            var secondLive = await WaitForRunAsync(http, again, second);
            Assert.Equal("completed", secondLive.GetProperty("overall_status").GetString());
            Assert.Equal(paid, fake.TotalCalls);
            var metrics = secondLive.GetProperty("blocks")[1].GetProperty("metrics");
            Assert.Equal(Rows, metrics.GetProperty("cache_hits").GetInt64());
            Assert.Equal(0, metrics.GetProperty("provider_calls").GetInt64());
            var replayed = await FinalRowsAsync(await DownloadLinksAsync(http, again));
            Assert.Equal(rows.Select(r => r.GetRawText()), replayed.Select(r => r.GetRawText()));
        }

        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string Key(int i) => $"c{i}.example";

    private static object[] Companies() =>
        [.. Enumerable.Range(0, Rows).Select(i => new { name = $"Company {i}", website = $"https://{Key(i)}" })];

    /// <summary>The fake's <c>Providers:s64:*</c> settings as <c>ENRICHFLOW_</c> variables, plus small chunks and a short lease.</summary>
    private static Dictionary<string, string> ServerEnvironment(FakeProviderServer fake, bool useAsyncJobs)
    {
        var settings = fake.ProviderConfiguration("s64", "sixtyfour");
        settings["Providers:s64:MaxConcurrency"] = MaxConcurrency.ToString(CultureInfo.InvariantCulture);
        settings["Providers:s64:RequestsPerMinute"] = "0";
        settings["Providers:s64:UseAsyncJobs"] = useAsyncJobs ? "true" : "false";
        settings["Providers:s64:TimeoutSeconds"] = "30";
        settings["Engine:ChunkSize"] = "100";
        settings["Engine:Lease"] = "00:00:05";
        return settings.Where(s => s.Value is not null)
            .ToDictionary(s => "ENRICHFLOW_" + s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!, StringComparer.Ordinal);
    }



    private static async Task<string> StartRunAsync(HttpClient http, string workflow, object body)
    {
        var response = await http.PostAsJsonAsync($"/workflows/run?workflow_id={workflow}&result_formats=ndjson", body, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("job_id").GetString()!;
    }

    private static async Task<JsonElement> WaitForRunAsync(HttpClient http, string runId, ServerProcess server)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (true)
        {
            var live = await http.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}/live_status", Ct);
            if (live.GetProperty("overall_status").GetString() is not ("queued" or "running"))
            {
                return live;
            }

            Assert.True(DateTime.UtcNow < deadline, $"run {runId} did not finish in time; last status {live}\n{server.Output}");
            await Task.Delay(200, Ct);
        }
    }

    private static async Task<JsonElement> DownloadLinksAsync(HttpClient http, string runId)
    {
        var response = await http.GetAsync($"/workflows/runs/{runId}/results/download-links?format=ndjson&include_rejects=true", Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<List<JsonElement>> FinalRowsAsync(JsonElement links)
    {
        using var anonymous = new HttpClient();
        var text = await anonymous.GetStringAsync(links.EnumerateArray().Last().GetProperty("download_url").GetString(), Ct);
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];
    }
}

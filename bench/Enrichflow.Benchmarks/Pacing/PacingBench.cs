using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Benchmarks.EndToEnd;
using Enrichflow.Fakes;

namespace Enrichflow.Benchmarks.Pacing;

/// <summary>
/// The pacing benchmark: a fake Sixtyfour in this process with a requests-per-minute limit and slow answers, the
/// real <c>enrichflow serve</c> as a child process pointed at it, and one <c>enrich_company</c> run over N distinct
/// companies. Every second it samples the calls that reached the fake in the last 60 s, the fake's in-flight
/// count, the server's RSS and CPU time, and the run's progress; at the end <see cref="PacingReport"/> says whether
/// the limit was kept busy (≥ 95% once warm) and never exceeded.
/// </summary>
public static class PacingBench
{
    /// <summary>webhook (COMPANY) → enrich_company by website through provider s64, two return fields.</summary>
    public const string Definition = """
        {"blocks": [
          {"sequence_number": 1, "block_type": "webhook", "block_name": "webhook", "block_id": "companies", "specs": {"dataframe_type": "COMPANY"}},
          {"sequence_number": 2, "block_type": "enrich_company", "block_name": "enrich_company", "block_id": "enrich",
           "specs": {"website_field": "website", "provider": "s64",
                     "return_fields": {"employees": {"description": "Number of employees", "type": "int"}, "country": "Country of the headquarters"}}}],
         "edges": [{"from_block_id": "companies", "to_block_id": "enrich"}]}
        """;

    private static readonly TimeSpan SampleEvery = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PrintEvery = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(PacingOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        Directory.CreateDirectory(options.WorkDirectory);
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions
        {
            HitPercent = options.HitPercent,
            LatencyMin = options.LatencyMin,
            LatencyMax = options.LatencyMax,
            RequestsPerMinute = options.RequestsPerMinute,
            RecordRequests = false,
        }, cancellationToken);

        var id = Guid.NewGuid().ToString("N")[..8];
        var data = Path.Combine(options.WorkDirectory, "data-" + id);
        var logPath = Path.Combine(options.WorkDirectory, $"server-{id}.log");
        var port = EndToEndBench.FreePort();
        await using var log = new StreamWriter(logPath);
        using var server = EndToEndBench.StartServer(options.ServerDll, port, data, ServerEnvironment(fake, options), log);
        Console.WriteLine($"pacing: {options.Describe()}; fake provider at {fake.BaseUrl}, server pid {server.Id} on port {port}, log {logPath}");
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(2) };
            http.DefaultRequestHeaders.Add("x-api-key", await EndToEndBench.WaitForKeyAsync(data, server, cancellationToken));
            await EndToEndBench.WaitHealthyAsync(http, cancellationToken);
            var workflowId = await CreateWorkflowAsync(http, cancellationToken);
            var payload = new JsonObject
            {
                ["webhook_payload"] = new JsonArray([.. Enumerable.Range(0, options.Rows).Select(i => (JsonNode)new JsonObject { ["name"] = $"Company {i}", ["website"] = $"https://c{i}.example" })]),
            };

            var meter = new ProcessMeter(server.Id);
            var idleRss = meter.Memory().Rss;
            var cpuBefore = meter.CpuTime();
            var watch = Stopwatch.StartNew();
            var startedAt = DateTimeOffset.UtcNow;
            var run = await http.PostAsJsonAsync($"/workflows/run?workflow_id={workflowId}", payload, cancellationToken);
            run.EnsureSuccessStatusCode();
            var jobId = (await run.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("job_id").GetString()!;

            var samples = await SampleUntilDoneAsync(http, jobId, fake, meter, cpuBefore, watch, options, cancellationToken);
            watch.Stop();
            var final = samples[^1];
            var live = await http.GetFromJsonAsync<JsonElement>($"/workflows/runs/{jobId}/live_status", cancellationToken);
            var metrics = live.GetProperty("blocks")[1].GetProperty("metrics");
            var report = new PacingReport(options, startedAt, watch.Elapsed, final.Status, idleRss, meter.Memory().PeakRss, meter.CpuTime() - cpuBefore,
                samples, fake.ArrivalTimes, fake.Throttled, fake.MaxInFlight, fake.MaxCallsInWindow(TimeSpan.FromMinutes(1)),
                metrics.GetProperty("provider_calls").GetInt64(), metrics.GetProperty("rows_failed").GetInt64(), metrics.GetProperty("cache_hits").GetInt64(), fake.Polls);
            Console.WriteLine();
            Console.WriteLine(report.Markdown());
            if (options.Output is { } output)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
                if (options.Append && File.Exists(output))
                {
                    await File.AppendAllTextAsync(output, Environment.NewLine + report.Markdown(heading: false), cancellationToken);
                }
                else
                {
                    await File.WriteAllTextAsync(output, report.Markdown(), cancellationToken);
                }

                Console.WriteLine($"written to {output}");
            }

            return report.Passed ? 0 : 1;
        }
        finally
        {
            await EndToEndBench.StopServerAsync(server, data);
        }
    }

    /// <summary>
    /// Provider s64 → the fake, paced at the limit with a gate wide enough never to bind (so the bucket alone limits),
    /// synchronous calls (one paid request per row: job polls would also spend the limit), then the <c>--set</c> settings.
    /// </summary>
    private static Dictionary<string, string> ServerEnvironment(FakeProviderServer fake, PacingOptions options)
    {
        var settings = fake.ProviderConfiguration("s64", "sixtyfour");
        settings.Remove("Providers:s64:RetryDelayMs");          // the fakes' quick test settings: keep the real defaults
        settings.Remove("Providers:s64:PollIntervalSeconds");
        settings["Providers:s64:RequestsPerMinute"] = options.RequestsPerMinute.ToString(CultureInfo.InvariantCulture);
        settings["Providers:s64:MaxConcurrency"] = "1000";
        settings["Providers:s64:TimeoutSeconds"] = "120";
        settings["Providers:s64:UseAsyncJobs"] = "false";
        foreach (var (key, value) in options.Settings)
        {
            settings[key] = value;
        }

        return settings.ToDictionary(s => "ENRICHFLOW_" + s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value ?? "");
    }

    private static async Task<string> CreateWorkflowAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var create = await http.PostAsJsonAsync("/workflows/create_workflow", new
        {
            workflow_name = "pacing",
            workflow_description = "pacing benchmark",
            workflow_definition = JsonNode.Parse(Definition),
        }, cancellationToken);
        if (!create.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"create_workflow: {(int)create.StatusCode} {await create.Content.ReadAsStringAsync(cancellationToken)}");
        }

        return (await create.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetString()!;
    }

    private static async Task<List<PacingSample>> SampleUntilDoneAsync(HttpClient http, string jobId, FakeProviderServer fake, ProcessMeter meter,
        TimeSpan cpuBefore, Stopwatch watch, PacingOptions options, CancellationToken cancellationToken)
    {
        var samples = new List<PacingSample>();
        var nextPrint = PrintEvery;
        using var timer = new PeriodicTimer(SampleEvery);
        var status = "queued";
        long rowsDone = 0;
        while (true)
        {
            await timer.WaitForNextTickAsync(cancellationToken);
            var at = DateTimeOffset.UtcNow;
            var arrivals = fake.ArrivalTimes;
            var inFlight = fake.InFlight;
            var rss = meter.Memory().Rss;
            var cpu = meter.CpuTime() - cpuBefore;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                var live = await http.GetFromJsonAsync<JsonElement>($"/workflows/runs/{jobId}/live_status", timeout.Token);
                status = live.GetProperty("overall_status").GetString()!;
                rowsDone = live.GetProperty("blocks")[1].GetProperty("processed_count").GetInt64();
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // A slow answer keeps the last known progress; the counters above are still this second's.
            }

            var sample = new PacingSample(watch.Elapsed, at, PacingReport.CallsInWindow(arrivals, at), arrivals.Count, inFlight, rss, cpu, rowsDone, status);
            samples.Add(sample);
            if (sample.Elapsed >= nextPrint)
            {
                nextPrint += PrintEvery;
                var before = samples.LastOrDefault(s => s.Elapsed <= sample.Elapsed - PrintEvery) ?? samples[0];
                var cpuPercent = (sample.Cpu - before.Cpu) / (sample.Elapsed - before.Elapsed) * 100;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"t={sample.Elapsed.TotalSeconds,4:F0}s rows {rowsDone,6:N0}/{options.Rows:N0} sent {sample.Sent,6:N0} last-60s {sample.CallsLast60s,4} ({100.0 * sample.CallsLast60s / options.RequestsPerMinute,5:F1}%) in-flight {inFlight,4} throttled {fake.Throttled} rss {rss / 1e6,5:F0} MB cpu {cpuPercent,5:F1}% {status}"));
            }

            if (status is "completed" or "failed" or "cancelled" or "paused")
            {
                return samples;
            }
        }
    }
}

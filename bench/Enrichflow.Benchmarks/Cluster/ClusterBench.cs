using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Benchmarks.EndToEnd;
using Enrichflow.Fakes;

namespace Enrichflow.Benchmarks.Cluster;

/// <summary>
/// The scale-out benchmark (issue 13): one API process (no worker) and N <c>enrichflow worker</c> processes on one
/// PostgreSQL and one S3 server (the caller gives their addresses; bench/run-cluster.sh starts both).
/// <list type="bullet">
/// <item><c>cpu</c>: the end-to-end pipeline (read_csv → validate_email → filter → transform) over ROWS leads with 1,
/// 2 and 3 workers: run time, rows/s, the workers' CPU, and live_status p50/p99 polled every 50 ms meanwhile.</item>
/// <item><c>provider</c>: enrich_company over distinct companies against a fake provider limited to RPM requests a
/// minute, with 3 workers: the rate the cluster kept, against the limit, once warm (after the first minute).</item>
/// </list>
/// </summary>
public static class ClusterBench
{
    private const string EnrichDefinition = """
        {"blocks": [
          {"sequence_number": 1, "block_type": "read_csv", "block_name": "read_csv", "block_id": "input", "specs": {}},
          {"sequence_number": 2, "block_name": "enrich_company", "block_id": "enrich",
           "specs": {"company_field": "name", "website_field": "website", "provider": "s64",
                     "return_fields": {"employees": {"description": "Number of employees", "type": "int"}}}}],
         "edges": [{"from_block_id": "input", "to_block_id": "enrich"}]}
        """;

    public static async Task<int> RunAsync(string mode, long rows, int[] workerCounts, int requestsPerMinute, string serverDll, string work, CancellationToken cancellationToken)
    {
        var postgres = Environment.GetEnvironmentVariable("ENRICHFLOW_TEST_POSTGRES") ?? throw new InvalidOperationException("ENRICHFLOW_TEST_POSTGRES is not set (bench/run-cluster.sh sets it).");
        var s3 = Environment.GetEnvironmentVariable("ENRICHFLOW_TEST_S3") ?? throw new InvalidOperationException("ENRICHFLOW_TEST_S3 is not set (bench/run-cluster.sh sets it).");
        Directory.CreateDirectory(work);
        if (mode == "provider")
        {
            return await ProviderBoundAsync(rows, workerCounts.Max(), requestsPerMinute, postgres, s3, serverDll, work, cancellationToken);
        }

        var csv = EndToEndBench.EnsureLeads(rows, work);
        Console.WriteLine();
        Console.WriteLine("| workers | rows | run time (s) | rows/s | workers' CPU (s) | API CPU (s) | live_status p50 / p99 (ms, polls) | status |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---|---|");
        var failed = 0;
        foreach (var workers in workerCounts)
        {
            await using var cluster = await ClusterProcesses.StartAsync(serverDll, work, postgres, s3, workers, extra: null, cancellationToken);
            var m = await cluster.RunAsync(EndToEndBench.Definition, csv, pollEvery: TimeSpan.FromMilliseconds(50), cancellationToken);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {workers} | {rows:N0} | {m.RunSeconds:F1} | {rows / m.RunSeconds:N0} | {m.WorkerCpuSeconds:F1} | {m.ApiCpuSeconds:F1} | {m.StatusP50Ms:F1} / {m.StatusP99Ms:F1} ({m.Polls}) | {m.Status} |"));
            failed += m.Status == "completed" ? 0 : 1;
        }

        return failed == 0 ? 0 : 1;
    }

    private static async Task<int> ProviderBoundAsync(long rows, int workers, int requestsPerMinute, string postgres, string s3, string serverDll, string work, CancellationToken cancellationToken)
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions
        {
            HitPercent = 70,
            LatencyMin = TimeSpan.FromMilliseconds(100),
            LatencyMax = TimeSpan.FromMilliseconds(600),
            RequestsPerMinute = requestsPerMinute,
        }, cancellationToken);
        var csv = Path.Combine(work, $"companies-{rows}.csv");
        await using (var writer = new StreamWriter(csv))
        {
            await writer.WriteLineAsync("name,website");
            for (var i = 0; i < rows; i++)
            {
                await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Company {i},https://c{i}.example"));
            }
        }

        var extra = fake.ProviderConfiguration("s64", "sixtyfour")
            .Where(setting => setting.Value is not null)
            .ToDictionary(setting => "ENRICHFLOW_" + setting.Key.Replace(":", "__", StringComparison.Ordinal), setting => setting.Value!);
        extra["ENRICHFLOW_Providers__s64__RequestsPerMinute"] = requestsPerMinute.ToString(CultureInfo.InvariantCulture);
        extra["ENRICHFLOW_Providers__s64__MaxConcurrency"] = "64";
        extra["ENRICHFLOW_Providers__s64__UseAsyncJobs"] = "false";
        extra["ENRICHFLOW_Engine__ChunkSize"] = "100";

        // Calls per second as the provider saw them, sampled once a second.
        var samples = new List<(double Seconds, int Calls)>();
        await using var cluster = await ClusterProcesses.StartAsync(serverDll, work, postgres, s3, workers, extra, cancellationToken);
        var clock = Stopwatch.StartNew();
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                samples.Add((clock.Elapsed.TotalSeconds, fake.TotalCalls));
                await Task.Delay(1000, CancellationToken.None);
            }
        }, CancellationToken.None);
        var m = await cluster.RunAsync(EnrichDefinition, csv, pollEvery: TimeSpan.FromMilliseconds(250), cancellationToken);
        await sampling.CancelAsync();
        await sampler;

        // Warm: from a minute after the first call to the last full sample before the calls ran out.
        var first = samples.First(sample => sample.Calls > 0).Seconds;
        var warm = samples.Where(sample => sample.Seconds >= first + 60 && sample.Calls < rows).ToList();
        var warmRate = warm.Count >= 2 ? (warm[^1].Calls - warm[0].Calls) / (warm[^1].Seconds - warm[0].Seconds) * 60 : double.NaN;
        var maxMinute = fake.MaxCallsInWindow(TimeSpan.FromMinutes(1));
        Console.WriteLine();
        Console.WriteLine("| workers | calls | limit (/min) | warm rate (/min) | of the limit | most in any 60 s | 429s | run time (s) | live_status p50 / p99 (ms) | status |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {workers} | {fake.TotalCalls:N0} | {requestsPerMinute:N0} | {warmRate:N0} | {warmRate / requestsPerMinute:P1} | {maxMinute:N0} | {fake.Throttled} | {m.RunSeconds:F1} | {m.StatusP50Ms:F1} / {m.StatusP99Ms:F1} | {m.Status} |"));
        return m.Status == "completed" && fake.Throttled == 0 && maxMinute <= requestsPerMinute ? 0 : 1;
    }
}

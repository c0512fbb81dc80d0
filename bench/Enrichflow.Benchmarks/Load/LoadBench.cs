using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Benchmarks.EndToEnd;
using Enrichflow.Benchmarks.Pacing;

namespace Enrichflow.Benchmarks.Load;

/// <summary>
/// The load benchmark (issue 11, Must show): a real <c>enrichflow serve</c> as a child process, API keys of several
/// organizations made with <c>enrichflow keys create</c>, and for the whole duration each organization's runs of the
/// end-to-end pipeline kept in flight (a run that ends is replaced by a new one of the same organization) while
/// status requests (<c>GET /workflows/runs/{id}/live_status</c>, each with its run's key) go out at a fixed rate,
/// open loop. The status answers are also how the benchmark sees runs end. It reports the status latency
/// percentiles, when each organization's runs of the first wave (all started together) completed, the runs each
/// organization completed in the whole duration, every error, and the server's peak RSS (VmHWM).
/// </summary>
public static class LoadBench
{
    private static readonly TimeSpan PrintEvery = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(LoadOptions options, string? output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        Directory.CreateDirectory(options.WorkDirectory);
        var csv = Path.Combine(options.WorkDirectory, $"leads-{options.Rows}.csv");
        if (!File.Exists(csv))
        {
            LeadGenerator.Write(csv, options.Rows);
        }

        var id = Guid.NewGuid().ToString("N")[..8];
        var data = Path.Combine(options.WorkDirectory, "data-" + id);
        var orgs = new List<Org>();
        for (var i = 1; i <= options.Orgs; i++)
        {
            var name = $"load-org-{i}";
            orgs.Add(new Org(name, await CreateKeyAsync(options.ServerDll, data, name, cancellationToken)));
        }

        var port = EndToEndBench.FreePort();
        var logPath = Path.Combine(options.WorkDirectory, $"server-{id}.log");
        await using var log = new StreamWriter(logPath);
        using var server = EndToEndBench.StartServer(options.ServerDll, port, data, log: log);
        var meter = new ProcessMeter(server.Id);
        Console.WriteLine($"load: {options.Describe()}; server pid {server.Id} on port {port}, log {logPath}");
        try
        {
            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };
            using var http = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
            await WaitReadyAsync(http, server, cancellationToken);
            foreach (var org in orgs)
            {
                await PrepareAsync(http, org, csv, cancellationToken);
            }

            var load = new Load(http, options, orgs);
            var loadBefore = LoadAverage();
            var cpuBefore = meter.CpuTime();
            var result = await load.RunAsync(meter, cancellationToken);
            var cpu = meter.CpuTime() - cpuBefore;
            var (_, peakRss) = meter.Memory();
            var report = Report(options, orgs, result, peakRss, cpu, (loadBefore, result.PeakLoadAverage));
            Console.WriteLine();
            Console.WriteLine(report);
            if (output is not null)
            {
                await File.WriteAllTextAsync(output, report, cancellationToken);
            }

            return result.Errors.Values.Sum() == 0 ? 0 : 1;
        }
        finally
        {
            await EndToEndBench.StopServerAsync(server, data);
            await RemoveAsync(data);
        }
    }

    /// <summary>Deletes what is left of the data directory (gigabytes after 5 minutes) when the first delete did not finish.</summary>
    private static async Task RemoveAsync(string data)
    {
        for (var i = 0; i < 3 && Directory.Exists(data); i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException e)
            {
                Console.Error.WriteLine($"could not delete {data} yet: {e.Message}");
            }
        }
    }

    /// <summary>Runs <c>enrichflow keys create --org NAME --data DIR</c> and returns the key it prints.</summary>
    private static async Task<string> CreateKeyAsync(string serverDll, string data, string org, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { serverDll, "keys", "create", "--org", org, "--data", data },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start enrichflow keys create.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"enrichflow keys create --org {org} exited with {process.ExitCode}: {await stderr}");
        }

        return (await stdout).Trim();
    }

    private static async Task WaitReadyAsync(HttpClient http, Process server, CancellationToken cancellationToken)
    {
        for (var i = 0; i < 600; i++)
        {
            if (server.HasExited)
            {
                throw new InvalidOperationException($"The server exited with code {server.ExitCode}.");
            }

            try
            {
                using var ready = await http.GetAsync("/readyz", cancellationToken);
                if (ready.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException("The server did not become ready.");
    }

    /// <summary>Creates the organization's workflow and uploads its copy of the leads.</summary>
    private static async Task PrepareAsync(HttpClient http, Org org, string csv, CancellationToken cancellationToken)
    {
        using var create = new HttpRequestMessage(HttpMethod.Post, "/workflows/create_workflow")
        {
            Content = JsonContent.Create(new
            {
                workflow_name = "load",
                workflow_description = "load benchmark",
                workflow_definition = JsonNode.Parse(EndToEndBench.Definition),
            }),
        };
        create.Headers.Add("x-api-key", org.Key);
        using var created = await http.SendAsync(create, cancellationToken);
        created.EnsureSuccessStatusCode();
        org.WorkflowId = (await created.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetString()!;

        using var form = new MultipartFormDataContent();
        await using var file = File.OpenRead(csv);
        var part = new StreamContent(file, 1 << 20);
        part.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(part, "file", Path.GetFileName(csv));
        using var upload = new HttpRequestMessage(HttpMethod.Post, "/storage/csv/upload") { Content = form };
        upload.Headers.Add("x-api-key", org.Key);
        using var uploaded = await http.SendAsync(upload, cancellationToken);
        uploaded.EnsureSuccessStatusCode();
        org.Handle = (await uploaded.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("handle_id").GetString()!;
    }

    /// <summary>The machine's one-minute load average (other processes share its cores), 0 where /proc has none.</summary>
    private static double LoadAverage()
    {
        try
        {
            return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static string Report(LoadOptions options, IReadOnlyList<Org> orgs, LoadResult result, long peakRss, TimeSpan cpu, (double Before, double Peak) machineLoad)
    {
        var c = CultureInfo.InvariantCulture;
        var latencies = result.StatusLatenciesMs.Order().ToArray();
        double Percentile(double p) => latencies.Length == 0 ? 0 : latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(p * latencies.Length) - 1)];
        var text = new StringBuilder();
        text.AppendLine(c, $"Load: {options.Describe()}.");
        text.AppendLine(c, $"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; machine load average (1 min) {machineLoad.Before:F1} at the start, {machineLoad.Peak:F1} at most during the run.");
        text.AppendLine();
        text.AppendLine("| figure | value |");
        text.AppendLine("|---|---:|");
        text.AppendLine(c, $"| status requests sent / answered 2xx | {result.StatusSent:N0} / {latencies.Length:N0} ({result.StatusSent / result.Elapsed.TotalSeconds:F0} a second) |");
        text.AppendLine(c, $"| status latency p50 / p99 / max | {Percentile(0.50):F1} / {Percentile(0.99):F1} / {(latencies.Length > 0 ? latencies[^1] : 0):F1} ms |");
        text.AppendLine(c, $"| runs started / completed | {result.Started:N0} / {orgs.Sum(o => o.Completed):N0} |");
        text.AppendLine(c, $"| rows completed | {orgs.Sum(o => o.Completed) * (long)options.Rows:N0} ({orgs.Sum(o => o.Completed) * (double)options.Rows / result.Elapsed.TotalSeconds:N0} a second) |");
        text.AppendLine(c, $"| errors | {(result.Errors.IsEmpty ? "0" : string.Join(", ", result.Errors.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}: {e.Value}")))} |");
        text.AppendLine(c, $"| server peak RSS (VmHWM) / CPU | {peakRss / 1e6:F0} MB / {cpu.TotalSeconds:F0} s ({cpu.TotalSeconds / result.Elapsed.TotalSeconds:F2} cores) |");
        text.AppendLine();
        text.AppendLine(c, $"First wave ({options.Orgs * options.RunsPerOrg} runs started together, one organization after another in turn), seconds from its start, and the whole duration:");
        text.AppendLine();
        text.AppendLine("| organization | first wave: first completion | last completion | runs completed in the duration | mean run time |");
        text.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var org in orgs)
        {
            var wave = org.FirstWave.Order().ToArray();
            text.AppendLine(c, $"| {org.Name} | {(wave.Length > 0 ? wave[0] : double.NaN):F1} s | {(wave.Length == options.RunsPerOrg ? wave[^1] : double.NaN):F1} s | {org.Completed} | {(org.RunSeconds.IsEmpty ? double.NaN : org.RunSeconds.Average()):F1} s |");
        }

        var lasts = orgs.Where(o => o.FirstWave.Count == options.RunsPerOrg).Select(o => o.FirstWave.Max()).ToArray();
        var firsts = orgs.Where(o => !o.FirstWave.IsEmpty).Select(o => o.FirstWave.Min()).ToArray();
        if (lasts.Length == orgs.Count && firsts.Length == orgs.Count)
        {
            text.AppendLine();
            text.AppendLine(c, $"Spread between organizations: first completions {firsts.Min():F1}–{firsts.Max():F1} s, last completions {lasts.Min():F1}–{lasts.Max():F1} s; runs completed per organization {orgs.Min(o => o.Completed)}–{orgs.Max(o => o.Completed)}.");
        }

        return text.ToString();
    }

    private sealed class Org(string name, string key)
    {
        public string Name { get; } = name;

        public string Key { get; } = key;

        public string WorkflowId { get; set; } = "";

        public string Handle { get; set; } = "";

        private int _completed;

        public int Completed => Volatile.Read(ref _completed);

        /// <summary>Completion times (seconds from the start) of the first wave's runs.</summary>
        public ConcurrentBag<double> FirstWave { get; } = [];

        public ConcurrentBag<double> RunSeconds { get; } = [];

        public void Complete(RunInFlight run, double now)
        {
            Interlocked.Increment(ref _completed);
            RunSeconds.Add(now - run.StartedAt);
            if (run.FirstWave)
            {
                FirstWave.Add(now);
            }
        }
    }

    private sealed record RunInFlight(string JobId, Org Org, double StartedAt, bool FirstWave);

    private sealed record LoadResult(TimeSpan Elapsed, long StatusSent, IReadOnlyList<double> StatusLatenciesMs, int Started, ConcurrentDictionary<string, int> Errors, double PeakLoadAverage);

    /// <summary>The load itself: runs kept in flight per organization, and status requests at a fixed rate.</summary>
    private sealed class Load(HttpClient http, LoadOptions options, IReadOnlyList<Org> orgs)
    {
        private readonly ConcurrentDictionary<string, RunInFlight> _inFlight = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, int> _errors = new(StringComparer.Ordinal);
        private readonly List<double> _latencies = new(options.StatusPerSecond * (int)options.Duration.TotalSeconds);
        private readonly Lock _latencyLock = new();
        private readonly Stopwatch _clock = new();
        private volatile bool _stopping;
        private int _started;
        private long _sent;

        public async Task<LoadResult> RunAsync(ProcessMeter meter, CancellationToken cancellationToken)
        {
            _clock.Start();
            var starts = new List<Task>();
            for (var i = 0; i < options.RunsPerOrg; i++)
            {
                starts.AddRange(orgs.Select(org => StartRunAsync(org, firstWave: true, cancellationToken)));
            }

            await Task.WhenAll(starts);
            var pending = new List<Task>();
            var nextPrint = PrintEvery;
            var peakLoad = LoadAverage();
            RunInFlight[] runs = [];
            var runsAt = TimeSpan.FromDays(-1);
            while (_clock.Elapsed < options.Duration)
            {
                // Open loop: the requests due by now go out whatever the answers before them took.
                var due = (long)(_clock.Elapsed.TotalSeconds * options.StatusPerSecond);
                if (_clock.Elapsed - runsAt > TimeSpan.FromMilliseconds(100))
                {
                    runs = [.. _inFlight.Values.OrderBy(r => r.JobId, StringComparer.Ordinal)];
                    runsAt = _clock.Elapsed;
                }

                while (_sent < due && runs.Length > 0)
                {
                    pending.Add(StatusAsync(runs[_sent % runs.Length], cancellationToken));
                    _sent++;
                }

                if (pending.Count > 1000)
                {
                    pending.RemoveAll(t => t.IsCompleted);
                }

                if (_clock.Elapsed >= nextPrint)
                {
                    nextPrint += PrintEvery;
                    peakLoad = Math.Max(peakLoad, LoadAverage());
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{_clock.Elapsed.TotalSeconds,5:F0} s: {_inFlight.Count} runs in flight, {orgs.Sum(o => o.Completed)} completed ({string.Join(" ", orgs.Select(o => o.Completed))}), {_sent:N0} status requests, errors {_errors.Values.Sum()}, RSS {meter.Memory().Rss / 1e6:F0} MB, load average {LoadAverage():F1}"));
                }

                await Task.Delay(5, cancellationToken);
            }

            _stopping = true;
            var elapsed = _clock.Elapsed;
            await Task.WhenAll(pending);
            lock (_latencyLock)
            {
                return new LoadResult(elapsed, _sent, [.. _latencies], _started, _errors, peakLoad);
            }
        }

        private async Task StartRunAsync(Org org, bool firstWave, CancellationToken cancellationToken)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, $"/workflows/run?workflow_id={org.WorkflowId}")
                {
                    Content = JsonContent.Create(new { specs_override = new { resource_handle_id = org.Handle } }),
                };
                request.Headers.Add("x-api-key", org.Key);
                var at = _clock.Elapsed.TotalSeconds;
                using var response = await http.SendAsync(request, cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    Error($"run start {(int)response.StatusCode}");
                    return;
                }

                var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("job_id").GetString()!;
                _inFlight[jobId] = new RunInFlight(jobId, org, at, firstWave);
                Interlocked.Increment(ref _started);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Error("run start " + e.GetType().Name);
            }
        }

        private async Task StatusAsync(RunInFlight run, CancellationToken cancellationToken)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/workflows/runs/{run.JobId}/live_status");
                request.Headers.Add("x-api-key", run.Org.Key);
                var watch = Stopwatch.StartNew();
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                watch.Stop();
                if (!response.IsSuccessStatusCode)
                {
                    Error($"status {(int)response.StatusCode}");
                    return;
                }

                lock (_latencyLock)
                {
                    _latencies.Add(watch.Elapsed.TotalMilliseconds);
                }

                var status = JsonDocument.Parse(body).RootElement.GetProperty("overall_status").GetString();
                if (status is "completed" or "failed" or "cancelled" && _inFlight.TryRemove(run.JobId, out _))
                {
                    var now = _clock.Elapsed.TotalSeconds;
                    if (status != "completed")
                    {
                        Error("run " + status);
                    }
                    else
                    {
                        run.Org.Complete(run, now);
                    }

                    if (!_stopping)
                    {
                        await StartRunAsync(run.Org, firstWave: false, cancellationToken);
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
                Error("status " + e.GetType().Name);
            }
        }

        private void Error(string kind) => _errors.AddOrUpdate(kind, 1, (_, n) => n + 1);
    }
}

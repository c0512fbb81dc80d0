using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Benchmarks.EndToEnd;
using Npgsql;

namespace Enrichflow.Benchmarks.Cluster;

/// <summary>One API process and <c>N</c> worker processes on a fresh database and bucket of the given servers.</summary>
internal sealed class ClusterProcesses : IAsyncDisposable
{
    private readonly Process _api;
    private readonly List<Process> _workers;
    private readonly List<string> _directories;
    private readonly HttpClient _http;

    private ClusterProcesses(Process api, List<Process> workers, List<string> directories, HttpClient http)
    {
        _api = api;
        _workers = workers;
        _directories = directories;
        _http = http;
    }

    public static async Task<ClusterProcesses> StartAsync(
        string serverDll, string work, string postgres, string s3, int workers, IReadOnlyDictionary<string, string>? extra, CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string>(extra ?? new Dictionary<string, string>())
        {
            ["ENRICHFLOW_Store"] = await NewDatabaseAsync(postgres, cancellationToken),
            ["ENRICHFLOW_Blobs"] = $"s3://{await NewBucketAsync(s3, cancellationToken)}/bench",
            ["ENRICHFLOW_Blobs__S3__ServiceUrl"] = s3,
            ["ENRICHFLOW_Blobs__S3__AccessKey"] = Environment.GetEnvironmentVariable("ENRICHFLOW_TEST_S3_ACCESS_KEY") ?? "S3RVER",
            ["ENRICHFLOW_Blobs__S3__SecretKey"] = Environment.GetEnvironmentVariable("ENRICHFLOW_TEST_S3_SECRET_KEY") ?? "S3RVER",
            ["ENRICHFLOW_Dispatch__Kind"] = "hangfire",
            ["ENRICHFLOW_Downloads__Secret"] = "cluster-bench-secret-0123456789abcdef",
        };
        var directories = new List<string>();
        string NewDirectory()
        {
            var directory = Path.Combine(work, "node-" + Guid.NewGuid().ToString("N")[..8]);
            directories.Add(directory);
            return directory;
        }

        var apiData = NewDirectory();
        var port = EndToEndBench.FreePort();
        var api = EndToEndBench.StartServer(serverDll, port, apiData, new Dictionary<string, string>(environment) { ["ENRICHFLOW_Dispatch__RunWorker"] = "false" });
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(30) };
        http.DefaultRequestHeaders.Add("x-api-key", await EndToEndBench.WaitForKeyAsync(apiData, api, cancellationToken));
        await EndToEndBench.WaitHealthyAsync(http, cancellationToken);
        var started = Enumerable.Range(0, workers).Select(_ => StartWorker(serverDll, NewDirectory(), environment)).ToList();
        return new ClusterProcesses(api, started, directories, http);
    }

    /// <summary>Uploads <paramref name="csv"/>, runs <paramref name="definition"/> over it, polling live status every <paramref name="pollEvery"/>.</summary>
    public async Task<ClusterMeasure> RunAsync(string definition, string csv, TimeSpan pollEvery, CancellationToken cancellationToken)
    {
        var create = await _http.PostAsJsonAsync("/workflows/create_workflow",
            new { workflow_name = "cluster-bench", workflow_definition = JsonNode.Parse(definition) }, cancellationToken);
        create.EnsureSuccessStatusCode();
        var workflow = (await create.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetString();
        var handle = await EndToEndBench.UploadAsync(_http, csv, cancellationToken);

        var cpuBefore = Cpu();
        var clock = Stopwatch.StartNew();
        var run = await _http.PostAsJsonAsync($"/workflows/run?workflow_id={workflow}", new { specs_override = new { resource_handle_id = handle } }, cancellationToken);
        run.EnsureSuccessStatusCode();
        var job = (await run.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("job_id").GetString();
        var polls = new List<double>();
        string status;
        while (true)
        {
            await Task.Delay(pollEvery, cancellationToken);
            var poll = Stopwatch.StartNew();
            var live = await _http.GetFromJsonAsync<JsonElement>($"/workflows/runs/{job}/live_status", cancellationToken);
            polls.Add(poll.Elapsed.TotalMilliseconds);
            status = live.GetProperty("overall_status").GetString()!;
            if (status is not ("queued" or "running"))
            {
                if (status != "completed")
                {
                    Console.Error.WriteLine($"the run ended {status}: {live}");
                }

                break;
            }
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var cpuAfter = Cpu();
        polls.Sort();
        return new ClusterMeasure(status, seconds, cpuAfter.Workers - cpuBefore.Workers, cpuAfter.Api - cpuBefore.Api,
            Percentile(polls, 0.5), Percentile(polls, 0.99), polls.Count);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        foreach (var process in _workers.Append(_api))
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }

            process.Dispose();
        }

        foreach (var directory in _directories.Where(Directory.Exists))
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private (double Workers, double Api) Cpu()
    {
        foreach (var process in _workers.Append(_api))
        {
            process.Refresh();
        }

        return (_workers.Sum(worker => worker.HasExited ? 0 : worker.TotalProcessorTime.TotalSeconds), _api.TotalProcessorTime.TotalSeconds);
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static Process StartWorker(string serverDll, string data, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { serverDll, "worker", "--data", data },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start a worker.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine("worker: " + e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<string> NewDatabaseAsync(string server, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(server);
        var name = $"bench_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(builder.ConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        builder.Database = name;
        return builder.ConnectionString;
    }

    private static async Task<string> NewBucketAsync(string s3, CancellationToken cancellationToken)
    {
        var bucket = "bench-" + Guid.NewGuid().ToString("N");
        using var http = new HttpClient();
        (await http.PutAsync($"{s3.TrimEnd('/')}/{bucket}", null, cancellationToken)).EnsureSuccessStatusCode();
        return bucket;
    }
}

/// <summary>One run on the cluster: its end, run time, CPU of the workers and of the API process, and the status polls' latency.</summary>
internal sealed record ClusterMeasure(string Status, double RunSeconds, double WorkerCpuSeconds, double ApiCpuSeconds, double StatusP50Ms, double StatusP99Ms, int Polls);

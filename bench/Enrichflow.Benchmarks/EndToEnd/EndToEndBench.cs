using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Enrichflow.Benchmarks.EndToEnd;

/// <summary>
/// The end-to-end benchmark: starts <c>enrichflow serve</c> as a child process on a loopback port, uploads N
/// synthetic leads, runs read_csv → validate_email (no MX) → filter (US and a valid email) → transform through the HTTP API, and
/// reports rows/s, MB/s and the server's peak RSS (VmHWM from /proc).
/// </summary>
public static class EndToEndBench
{
    public const string Definition = """
        {"blocks": [
          {"sequence_number": 1, "block_type": "read_csv", "block_name": "read_csv", "block_id": "input", "specs": {}},
          {"sequence_number": 2, "block_type": "validate_email", "block_name": "validate_email", "block_id": "validate", "specs": {"email_field": "email", "check_mx": false}},
          {"sequence_number": 3, "block_type": "filter", "block_name": "filter", "block_id": "keep_valid", "specs": {"expression": "[country] = 'US' and [email_status] != 'invalid'"}},
          {"sequence_number": 4, "block_type": "transform", "block_name": "transform", "block_id": "shape", "specs": {"operations": [
            {"op": "lower", "column": "email"},
            {"op": "concat", "column": "full_name", "columns": ["first_name", "last_name"], "separator": " "},
            {"op": "upper", "column": "country"}]}}],
         "edges": [
          {"from_block_id": "input", "to_block_id": "validate"},
          {"from_block_id": "validate", "to_block_id": "keep_valid"},
          {"from_block_id": "keep_valid", "to_block_id": "shape"}]}
        """;

    /// <summary>read_csv → deduplicate on email (the generator repeats role addresses: about 90% of keys are distinct).</summary>
    public const string DedupeDefinition = """
        {"blocks": [
          {"sequence_number": 1, "block_type": "read_csv", "block_name": "read_csv", "block_id": "input", "specs": {}},
          {"sequence_number": 2, "block_type": "deduplicate", "block_name": "deduplicate", "block_id": "dedupe", "specs": {"key_fields": ["email"]}}],
         "edges": [{"from_block_id": "input", "to_block_id": "dedupe"}]}
        """;

    /// <summary>read_csv → even ids (left) and odd ids (right, keyed id - 1) → merge join on that key: ROWS/2 × ROWS/2.</summary>
    public const string JoinDefinition = """
        {"blocks": [
          {"sequence_number": 1, "block_type": "read_csv", "block_name": "read_csv", "block_id": "input", "specs": {}},
          {"sequence_number": 2, "block_name": "filter", "block_id": "even", "specs": {"expression": "[id] % 2 = 0"}},
          {"sequence_number": 3, "block_name": "filter", "block_id": "odd", "specs": {"expression": "[id] % 2 = 1"}},
          {"sequence_number": 4, "block_name": "transform", "block_id": "left_key", "specs": {"operations": [{"op": "expression", "column": "k", "expression": "[id]"}]}},
          {"sequence_number": 5, "block_name": "transform", "block_id": "right_key", "specs": {"operations": [{"op": "expression", "column": "k", "expression": "[id] - 1"}, {"op": "rename", "column": "email", "to": "partner_email"}]}},
          {"sequence_number": 6, "block_name": "merge", "block_id": "joined", "specs": {"mode": "join", "join_key": {"left": "k", "right": "k"}, "join_type": "inner"}}],
         "edges": [
          {"from_block_id": "input", "to_block_id": "even"},
          {"from_block_id": "input", "to_block_id": "odd"},
          {"from_block_id": "even", "to_block_id": "left_key"},
          {"from_block_id": "odd", "to_block_id": "right_key"},
          {"from_block_id": "left_key", "to_block_id": "joined"},
          {"from_block_id": "right_key", "to_block_id": "joined"}]}
        """;

    /// <summary>The join pipeline without the merge (its inputs only): the difference to <see cref="JoinDefinition"/> is the join's own cost.</summary>
    public const string JoinInputsDefinition = """
        {"blocks": [
          {"sequence_number": 1, "block_type": "read_csv", "block_name": "read_csv", "block_id": "input", "specs": {}},
          {"sequence_number": 2, "block_name": "filter", "block_id": "even", "specs": {"expression": "[id] % 2 = 0"}},
          {"sequence_number": 3, "block_name": "filter", "block_id": "odd", "specs": {"expression": "[id] % 2 = 1"}},
          {"sequence_number": 4, "block_name": "transform", "block_id": "left_key", "specs": {"operations": [{"op": "expression", "column": "k", "expression": "[id]"}]}},
          {"sequence_number": 5, "block_name": "transform", "block_id": "right_key", "specs": {"operations": [{"op": "expression", "column": "k", "expression": "[id] - 1"}, {"op": "rename", "column": "email", "to": "partner_email"}]}}],
         "edges": [
          {"from_block_id": "input", "to_block_id": "even"},
          {"from_block_id": "input", "to_block_id": "odd"},
          {"from_block_id": "even", "to_block_id": "left_key"},
          {"from_block_id": "odd", "to_block_id": "right_key"}]}
        """;

    /// <summary>
    /// read_csv → group_by company and country (60 groups) with every kind of aggregation; count_distinct of email
    /// and the list of ids hold nearly a value per row, so they exercise the spill.
    /// </summary>
    public const string GroupByDefinition = """
        {"blocks": [
          {"sequence_number": 1, "block_type": "read_csv", "block_name": "read_csv", "block_id": "input", "specs": {}},
          {"sequence_number": 2, "block_name": "group_by", "block_id": "groups", "specs": {"group_by": ["company", "country"], "aggregations": [
            {"op": "count"}, {"column": "email", "op": "count_distinct"}, {"column": "score", "op": "sum"}, {"column": "score", "op": "avg"},
            {"column": "score", "op": "min"}, {"column": "score", "op": "max"}, {"column": "email", "op": "first"}, {"column": "email", "op": "last"},
            {"column": "id", "op": "list"}, {"column": "title", "op": "count_distinct", "as": "titles"}]}}],
         "edges": [{"from_block_id": "input", "to_block_id": "groups"}]}
        """;

    public static async Task<int> RunAsync(long rows, string serverDll, string workDirectory, CancellationToken cancellationToken, string definition = Definition)
    {
        var csv = EnsureLeads(rows, workDirectory);
        var bytes = new FileInfo(csv).Length;
        var m = await MeasureAsync(csv, serverDll, workDirectory, definition, download: false, cancellationToken);
        Console.WriteLine();
        Console.WriteLine($"| rows | status | run time (s) | rows/s | MB/s | server peak RSS (MB) | server CPU in run (s) | rows out | upload (s) | live_status p50 / p99 (ms, polls) |");
        Console.WriteLine($"|---:|---|---:|---:|---:|---:|---:|---:|---:|---|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {rows:N0} | {m.Status} | {m.RunSeconds:F1} | {rows / m.RunSeconds:N0} | {bytes / 1e6 / m.RunSeconds:F1} | {m.PeakRssBytes / 1e6:F0} | {m.CpuSeconds:F1} | {m.RowsOut:N0} | {m.UploadSeconds:F1} | {m.StatusP50Ms:F1} / {m.StatusP99Ms:F1} ({m.StatusPolls}) |"));
        return m.Status == "completed" ? 0 : 1;
    }

    /// <summary>
    /// The side-by-side comparison (issue 12): on the same generated leads, the plain Sep loop's rows/s, then
    /// Enrichflow's end to end as a user sees it (upload → run → poll → download the final CSV through HTTP), and the
    /// ratio of the two.
    /// </summary>
    public static async Task<int> CompareAsync(long rows, string serverDll, string workDirectory, CancellationToken cancellationToken)
    {
        var csv = EnsureLeads(rows, workDirectory);
        var loop = BaselineLoop.Measure(rows, workDirectory);
        var m = await MeasureAsync(csv, serverDll, workDirectory, Definition, download: true, cancellationToken);
        var total = m.UploadSeconds + m.RunSeconds + m.DownloadSeconds;
        var loopRate = rows / loop.Seconds;
        var ourRate = rows / total;
        Console.WriteLine();
        Console.WriteLine("| rows | plain loop (s) | plain loop rows/s | Enrichflow end to end (s): upload + run + download | Enrichflow rows/s | ratio | rows out (loop / Enrichflow) | server peak RSS (MB) | server CPU (s) | live_status p50 / p99 (ms) |");
        Console.WriteLine("|---:|---:|---:|---|---:|---:|---|---:|---:|---|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {rows:N0} | {loop.Seconds:F2} | {loopRate:N0} | {total:F1} = {m.UploadSeconds:F1} + {m.RunSeconds:F1} + {m.DownloadSeconds:F1} | {ourRate:N0} | {ourRate / loopRate:F2} | {loop.Kept:N0} / {m.RowsOut:N0} | {m.PeakRssBytes / 1e6:F0} | {m.CpuSeconds:F1} | {m.StatusP50Ms:F1} / {m.StatusP99Ms:F1} |"));
        return m.Status == "completed" && loop.Kept == m.RowsOut ? 0 : 1;
    }

    internal static string EnsureLeads(long rows, string workDirectory)
    {
        Directory.CreateDirectory(workDirectory);
        var csv = Path.Combine(workDirectory, $"leads-{rows}.csv");
        if (!File.Exists(csv))
        {
            Console.WriteLine($"generating {rows:N0} leads -> {csv}");
            LeadGenerator.Write(csv, rows);
        }

        return csv;
    }

    /// <summary>What one measured run through a fresh server took.</summary>
    private sealed record Measured(string Status, double UploadSeconds, double RunSeconds, double DownloadSeconds, long PeakRssBytes, double CpuSeconds, long RowsOut,
        double StatusP50Ms, double StatusP99Ms, int StatusPolls);

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    private static async Task<Measured> MeasureAsync(string csv, string serverDll, string workDirectory, string definition, bool download, CancellationToken cancellationToken)
    {
        var data = Path.Combine(workDirectory, "data-" + Guid.NewGuid().ToString("N")[..8]);
        var port = FreePort();
        using var server = StartServer(serverDll, port, data);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(30) };
            var key = await WaitForKeyAsync(data, server, cancellationToken);
            http.DefaultRequestHeaders.Add("x-api-key", key);
            await WaitHealthyAsync(http, cancellationToken);

            var create = await http.PostAsJsonAsync("/workflows/create_workflow", new
            {
                workflow_name = "bench",
                workflow_description = "end-to-end benchmark",
                workflow_definition = JsonNode.Parse(definition),
            }, cancellationToken);
            create.EnsureSuccessStatusCode();
            var workflowId = (await create.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetString();

            server.Refresh();
            var cpuBefore = server.TotalProcessorTime;
            var uploadWatch = Stopwatch.StartNew();
            var handle = await UploadAsync(http, csv, cancellationToken);
            uploadWatch.Stop();

            var watch = Stopwatch.StartNew();
            var run = await http.PostAsJsonAsync($"/workflows/run?workflow_id={workflowId}",
                new { specs_override = new { resource_handle_id = handle } }, cancellationToken);
            run.EnsureSuccessStatusCode();
            var jobId = (await run.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("job_id").GetString();
            string status;
            var polls = new List<double>();
            while (true)
            {
                await Task.Delay(download ? 50 : 250, cancellationToken);
                var pollWatch = Stopwatch.StartNew();
                var live = await http.GetFromJsonAsync<JsonElement>($"/workflows/runs/{jobId}/live_status", cancellationToken);
                polls.Add(pollWatch.Elapsed.TotalMilliseconds);
                status = live.GetProperty("overall_status").GetString()!;
                if (status is "completed" or "failed" or "cancelled")
                {
                    break;
                }
            }

            watch.Stop();
            var downloadWatch = Stopwatch.StartNew();
            var links = await http.GetFromJsonAsync<JsonElement>($"/workflows/runs/{jobId}/results/download-links", cancellationToken);
            var final = links.EnumerateArray().Last();
            if (download && final.GetProperty("download_url").GetString() is { } url)
            {
                // The final CSV to disk through the signed link, as a user's script would.
                var target = Path.Combine(workDirectory, "downloaded.csv");
                await using var body = await http.GetStreamAsync(url, cancellationToken);
                await using var output = File.Create(target);
                await body.CopyToAsync(output, cancellationToken);
            }

            downloadWatch.Stop();
            server.Refresh();
            return new Measured(status, uploadWatch.Elapsed.TotalSeconds, watch.Elapsed.TotalSeconds, download ? downloadWatch.Elapsed.TotalSeconds : 0,
                PeakRssBytes(server.Id), (server.TotalProcessorTime - cpuBefore).TotalSeconds, final.GetProperty("row_count").GetInt64(),
                Percentile(polls, 0.50), Percentile(polls, 0.99), polls.Count);
        }
        finally
        {
            await StopServerAsync(server, data);
        }
    }

    /// <summary>
    /// Starts <c>dotnet SERVER serve</c> on a loopback port with a data directory; <paramref name="environment"/> adds
    /// variables (<c>ENRICHFLOW_…</c> configuration). Standard error is echoed; standard output (the log) goes to
    /// <paramref name="log"/> when given, else nowhere.
    /// </summary>
    internal static Process StartServer(string serverDll, int port, string data, IReadOnlyDictionary<string, string>? environment = null, TextWriter? log = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { serverDll, "serve", "--urls", $"http://127.0.0.1:{port}", "--data", data },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the server.");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null && log is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine("server: " + e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Uploads the CSV file at <paramref name="csv"/> (<c>POST /storage/csv/upload</c>); returns its handle.</summary>
    internal static async Task<string> UploadAsync(HttpClient http, string csv, CancellationToken cancellationToken)
    {
        using var form = new MultipartFormDataContent();
        await using var file = File.OpenRead(csv);
        var part = new StreamContent(file, 1 << 20);
        part.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(part, "file", Path.GetFileName(csv));
        var upload = await http.PostAsync("/storage/csv/upload", form, cancellationToken);
        upload.EnsureSuccessStatusCode();
        return (await upload.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("handle_id").GetString()!;
    }

    internal static async Task<string> WaitForKeyAsync(string data, Process server, CancellationToken cancellationToken)
    {
        var path = Path.Combine(data, "initial-api-key");
        for (var i = 0; i < 600; i++)
        {
            if (File.Exists(path))
            {
                return (await File.ReadAllTextAsync(path, cancellationToken)).Trim();
            }

            if (server.HasExited)
            {
                throw new InvalidOperationException($"The server exited with code {server.ExitCode}.");
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException("The server did not write its initial API key.");
    }

    internal static async Task WaitHealthyAsync(HttpClient http, CancellationToken cancellationToken)
    {
        for (var i = 0; i < 300; i++)
        {
            try
            {
                if ((await http.GetAsync("/readyz", cancellationToken)).IsSuccessStatusCode)
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

    /// <summary>The process's peak resident set size (VmHWM) in bytes, from /proc.</summary>
    public static long PeakRssBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    internal static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Kills the server (if it still runs) and deletes its data directory.</summary>
    internal static async Task StopServerAsync(System.Diagnostics.Process server, string data)
    {
        if (!server.HasExited)
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync(CancellationToken.None);
        }

        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Enrichflow.Fakes;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Cli;

/// <summary>
/// <c>enrichflow run WORKFLOW.json --input FILE --out DIR</c> (issue 14 item 2) as a real process: a one-shot run in
/// process with JSON-line progress, its result files in <c>--out</c>, its exit codes, <c>--dry-run</c> and Ctrl+C.
/// </summary>
public sealed class RunCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "enrichflow-run-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>A file in <paramref name="directory"/> holding <paramref name="text"/>; its path.</summary>
    private static string Write(string directory, string name, string text)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary><c>name,score</c> rows: lead i scores i % 100.</summary>
    private static string Scores(int rows)
    {
        var csv = new StringBuilder("name,score\n");
        for (var i = 0; i < rows; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"lead {i},{i % 100}\n");
        }

        return csv.ToString();
    }

    private static List<JsonElement> JsonLines(string stdout) =>
        [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];

    private static List<string> Snapshot(List<JsonElement> lines)
    {
        lock (lines)
        {
            return [.. lines.Select(l => l.GetRawText())];
        }
    }

    private static string Event(JsonElement line) => line.GetProperty("event").GetString()!;

    /// <summary>Data lines of a CSV file (every line after the header; the test rows hold no line breaks).</summary>
    private static int CsvRows(string path) => File.ReadAllLines(path).Length - 1;

    [Fact]
    public async Task Json_progress_lines_parse_and_end_with_completed_and_out_holds_every_blocks_file_with_its_rows()
    {
        var work = NewDirectory();
        var workflow = Write(work, "workflow.json", $$"""{"workflow_name": "Keep good scores", "workflow_definition": {{Definitions.ReadCsvFilter}}}""");
        var input = Write(work, "leads.csv", Scores(3000));
        var output = Path.Combine(work, "out");

        var (exit, stdout, stderr) = await CliProcess.RunAsync(["run", workflow, "--input", input, "--out", output, "--json"], null, Ct);

        Assert.True(exit == 0, $"exit {exit}: {stderr}");
        var lines = JsonLines(stdout);
        Assert.Equal("started", Event(lines[0]));
        Assert.Contains(lines, l => Event(l) == "progress");
        Assert.All(lines[1..^1], l => Assert.Equal("progress", Event(l)));
        var end = lines[^1];
        Assert.Equal("completed", Event(end));
        Assert.Equal("completed", end.GetProperty("status").GetString());
        Assert.Equal(0, end.GetProperty("exit_code").GetInt32());
        Assert.Equal(3000, end.GetProperty("rows_in").GetInt64());
        var blocks = end.GetProperty("blocks").EnumerateArray().ToList();
        Assert.Equal(["input", "keep"], blocks.Select(b => b.GetProperty("block_id").GetString()));
        Assert.Equal(1500, blocks[1].GetProperty("rows_out").GetInt64());
        Assert.Equal(1500, blocks[1].GetProperty("rows_rejected").GetInt64());

        // The names of the API's download links: <sequence_number>_<block_id>.csv and rejects.ndjson.
        Assert.Equal(["1_input.csv", "2_keep.csv", "rejects.ndjson"], Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(3000, CsvRows(Path.Combine(output, "1_input.csv")));
        Assert.Equal(1500, CsvRows(Path.Combine(output, "2_keep.csv")));
        Assert.All(File.ReadAllLines(Path.Combine(output, "2_keep.csv")).Skip(1), line => Assert.True(int.Parse(line.Split(',')[1], CultureInfo.InvariantCulture) >= 50, line));
        var rejects = File.ReadAllLines(Path.Combine(output, "rejects.ndjson")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(1500, rejects.Count);
        Assert.All(rejects, r => Assert.Equal("keep", r.GetProperty("block_id").GetString()));
        var files = end.GetProperty("files").EnumerateArray().ToDictionary(f => f.GetProperty("file").GetString()!, f => f.GetProperty("rows").GetInt64());
        Assert.Equal(1500, files["2_keep.csv"]);
        Assert.Equal(JsonValueKind.Null, end.GetProperty("data_directory").ValueKind);
    }

    [Fact]
    public async Task Format_ndjson_writes_the_ndjson_files_and_a_bare_definition_with_data_keeps_the_store()
    {
        var work = NewDirectory();
        var workflow = Write(work, "scores.json", Definitions.ReadCsvFilter);
        var input = Write(work, "leads.csv", Scores(200));
        var output = Path.Combine(work, "out");
        var data = Path.Combine(work, "data");

        var (exit, stdout, stderr) = await CliProcess.RunAsync(["run", workflow, "-i", input, "-o", output, "--format", "ndjson", "--data", data], null, Ct);

        Assert.True(exit == 0, $"exit {exit}: {stderr}");
        Assert.Equal("completed", Event(JsonLines(stdout)[^1]));
        Assert.Equal(["1_input.ndjson", "2_keep.ndjson", "rejects.ndjson"], Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var kept = File.ReadAllLines(Path.Combine(output, "2_keep.ndjson")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(100, kept.Count);
        Assert.All(kept, r => Assert.True(int.Parse(r.GetProperty("score").GetString()!, CultureInfo.InvariantCulture) >= 50));

        // The data directory is kept: a server started on it has the workflow (named after the file) and the completed run.
        await using var server = await TestServer.StartAsync(dataDirectory: data);
        var runs = await server.Client.GetFromJsonAsync<JsonElement>("/workflows/runs", Ct);
        var run = Assert.Single(runs.EnumerateArray());
        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal("scores", run.GetProperty("workflow_name").GetString());
    }

    [Fact]
    public async Task A_run_that_fails_exits_1_with_its_reason_in_the_failed_line()
    {
        var work = NewDirectory();
        var workflow = Write(work, "strict.json", Definitions.ReadCsvStrict);
        var input = Write(work, "messy.csv", "name,score\nann,1\nbob,2,extra\ncid,3\n");
        var output = Path.Combine(work, "out");

        var (exit, stdout, stderr) = await CliProcess.RunAsync(["run", workflow, "--input", input, "--out", output, "--json"], null, Ct);

        Assert.True(exit == 1, $"exit {exit}: {stderr}");
        var end = JsonLines(stdout)[^1];
        Assert.Equal("failed", Event(end));
        Assert.Equal("failed", end.GetProperty("status").GetString());
        Assert.Equal(1, end.GetProperty("exit_code").GetInt32());
        Assert.Contains("line 3", end.GetProperty("error_message").GetString(), StringComparison.Ordinal);
        Assert.True(Directory.Exists(output));
    }

    [Fact]
    public async Task A_workflow_file_that_does_not_parse_exits_2_naming_its_line_and_column()
    {
        var work = NewDirectory();
        var workflow = Write(work, "broken.json", "{\"blocks\": [\n  {\"sequence_number\": 1,, \"block_type\": \"read_csv\"}]}\n");
        var input = Write(work, "leads.csv", Scores(3));

        var (exit, stdout, stderr) = await CliProcess.RunAsync(["run", workflow, "--input", input, "--out", Path.Combine(work, "out"), "--json"], null, Ct);

        Assert.Equal(2, exit);
        Assert.Contains("'" + workflow + "'", stderr, StringComparison.Ordinal);
        Assert.Contains("line 2, column 25", stderr, StringComparison.Ordinal);
        Assert.Equal("", stdout.Trim());
        Assert.False(Directory.Exists(Path.Combine(work, "out")));
    }

    [Fact]
    public async Task An_input_file_that_does_not_exist_or_is_not_given_exits_2_naming_it()
    {
        var work = NewDirectory();
        var workflow = Write(work, "workflow.json", Definitions.ReadCsvOnly);
        var missing = Path.Combine(work, "nope.csv");

        var (exit, _, stderr) = await CliProcess.RunAsync(["run", workflow, "--input", missing, "--out", Path.Combine(work, "out")], null, Ct);

        Assert.Equal(2, exit);
        Assert.Contains($"input file '{missing}' does not exist", stderr, StringComparison.Ordinal);

        // Without --input at all: a usage error, the same exit code.
        var (usageExit, _, usageErr) = await CliProcess.RunAsync(["run", workflow, "--out", Path.Combine(work, "out")], null, Ct);
        Assert.Equal(2, usageExit);
        Assert.Contains("--input", usageErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_definition_exits_2_with_each_problem_naming_its_block_and_field()
    {
        var work = NewDirectory();
        var workflow = Write(work, "invalid.json", """
            {"blocks": [
              {"sequence_number": 1, "block_type": "read_csv", "block_id": "input", "specs": {}},
              {"sequence_number": 2, "block_type": "filter", "block_id": "keep", "specs": {"expression": "[score] >="}},
              {"sequence_number": 3, "block_type": "transform", "block_id": "shape", "specs": {}}],
             "edges": [{"from_block_id": "input", "to_block_id": "keep"}, {"from_block_id": "keep", "to_block_id": "shape"}]}
            """);
        var input = Write(work, "leads.csv", Scores(3));

        var (exit, _, stderr) = await CliProcess.RunAsync(["run", workflow, "--input", input, "--out", Path.Combine(work, "out")], null, Ct);

        Assert.Equal(2, exit);
        Assert.Contains("is not valid (2 problem(s))", stderr, StringComparison.Ordinal);
        Assert.Contains("blocks[1].specs.expression: ", stderr, StringComparison.Ordinal);
        Assert.Contains("'keep'", stderr, StringComparison.Ordinal);
        Assert.Contains("blocks[2]", stderr, StringComparison.Ordinal);
        Assert.Contains("'operations'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_workflow_that_does_not_read_a_file_and_an_input_that_does_not_read_exit_2()
    {
        var work = NewDirectory();
        var input = Write(work, "leads.csv", Scores(3));
        var webhook = Write(work, "webhook.json", Definitions.WebhookOnly);
        var (webhookExit, _, webhookErr) = await CliProcess.RunAsync(["run", webhook, "--input", input, "--out", Path.Combine(work, "out")], null, Ct);
        Assert.Equal(2, webhookExit);
        Assert.Contains("webhook block 'input'", webhookErr, StringComparison.Ordinal);
        Assert.Contains("read_csv", webhookErr, StringComparison.Ordinal);

        var workflow = Write(work, "workflow.json", Definitions.ReadCsvOnly);
        var empty = Write(work, "empty.csv", "");
        var (emptyExit, _, emptyErr) = await CliProcess.RunAsync(["run", workflow, "--input", empty, "--out", Path.Combine(work, "out")], null, Ct);
        Assert.Equal(2, emptyExit);
        Assert.Contains($"input file '{empty}' cannot be read", emptyErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dry_run_prints_the_estimate_with_rows_and_credits_per_block_and_runs_nothing()
    {
        var work = NewDirectory();
        var workflow = Write(work, "workflow.json", Definitions.ReadCsvFilter);
        var input = Write(work, "leads.csv", Scores(500));
        var output = Path.Combine(work, "out");

        var (exit, stdout, stderr) = await CliProcess.RunAsync(["run", workflow, "--input", input, "--out", output, "--dry-run", "--json"], null, Ct);

        Assert.True(exit == 0, $"exit {exit}: {stderr}");
        var line = Assert.Single(JsonLines(stdout));
        Assert.Equal("estimate", Event(line));
        var estimate = line.GetProperty("estimate");
        Assert.Equal(500, estimate.GetProperty("rows_in").GetInt64());
        var blocks = estimate.GetProperty("blocks").EnumerateArray().ToList();
        Assert.Equal(["input", "keep"], blocks.Select(b => b.GetProperty("block_id").GetString()));
        Assert.All(blocks, b => Assert.Equal(0, b.GetProperty("credits_estimate").GetDouble()));
        Assert.Equal(500, blocks[1].GetProperty("rows_in_estimate").GetInt64());
        Assert.Equal(0, estimate.GetProperty("credits_estimate").GetDouble());
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public async Task A_run_that_pauses_at_its_budget_is_cancelled_and_exits_3_with_its_files()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions { HitPercent = 100 }, Ct);
        var settings = fake.ProviderConfiguration("s64", "sixtyfour");
        settings["Providers:s64:UseAsyncJobs"] = "false";
        settings["Providers:s64:CreditsPerCall"] = "1";
        settings["Engine:ChunkSize"] = "10";
        var work = NewDirectory();
        var workflow = Write(work, "enrich.json", EnrichWorkflow);
        var input = Write(work, "companies.csv", CompaniesCsv(50));
        var output = Path.Combine(work, "out");

        var (exit, stdout, stderr) = await CliProcess.RunAsync(["run", workflow, "--input", input, "--out", output, "--json", "--max-credits", "3"], ProcessEnvironment(settings), Ct);

        Assert.True(exit == 3, $"exit {exit}: {stderr}");
        var lines = JsonLines(stdout);
        Assert.Contains(lines, l => Event(l) == "progress" && l.GetProperty("status").GetString() == "paused");
        Assert.Contains("paused", lines.Single(l => Event(l) == "cancelling").GetProperty("message").GetString(), StringComparison.Ordinal);
        var end = lines[^1];
        Assert.Equal("cancelled", Event(end));
        Assert.Equal(3, end.GetProperty("exit_code").GetInt32());
        Assert.True(end.GetProperty("credits_used").GetDouble() <= 3);
        Assert.Equal(50, CsvRows(Path.Combine(output, "1_companies.csv")));
        Assert.True(File.Exists(Path.Combine(output, "2_enrich.csv")));
    }

    private const string EnrichWorkflow = """
        {"blocks": [
          {"sequence_number": 1, "block_type": "read_csv", "block_id": "companies", "specs": {"dataframe_type": "COMPANY"}},
          {"sequence_number": 2, "block_type": "enrich_company", "block_id": "enrich",
           "specs": {"company_field": "name", "website_field": "website", "provider": "s64",
                     "return_fields": {"employees": {"description": "Number of employees", "type": "int"}}}}],
         "edges": [{"from_block_id": "companies", "to_block_id": "enrich"}]}
        """;

    private static string CompaniesCsv(int rows)
    {
        var csv = new StringBuilder("name,website\n");
        for (var i = 0; i < rows; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"Company {i},https://c{i}.example\n");
        }

        return csv.ToString();
    }

    /// <summary>Settings as the <c>ENRICHFLOW_</c> variables a process reads.</summary>
    private static Dictionary<string, string> ProcessEnvironment(Dictionary<string, string?> settings) =>
        settings.Where(s => s.Value is not null)
            .ToDictionary(s => "ENRICHFLOW_" + s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!, StringComparer.Ordinal);

    [Fact]
    public async Task Sigint_during_a_run_cancels_it_exits_130_and_writes_the_partial_files()
    {
        // Enrichment jobs that the fake holds "processing": the run stays running until it is interrupted.
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions { HitPercent = 100 }, Ct);
        fake.HoldJobs = true;
        var settings = fake.ProviderConfiguration("s64", "sixtyfour");
        settings["Providers:s64:TimeoutSeconds"] = "600";
        settings["Engine:ChunkSize"] = "10";
        var environment = ProcessEnvironment(settings);

        var work = NewDirectory();
        var workflow = Write(work, "enrich.json", EnrichWorkflow);
        var input = Write(work, "companies.csv", CompaniesCsv(50));
        var output = Path.Combine(work, "out");

        using var process = CliProcess.Start(["run", workflow, "--input", input, "--out", output, "--json"], environment);
        var lines = new List<JsonElement>();
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (string.IsNullOrWhiteSpace(e.Data))
            {
                return;
            }

            var line = JsonDocument.Parse(e.Data).RootElement.Clone();
            lock (lines)
            {
                lines.Add(line);
            }

            // The source has read every row; the enrichment block waits on the held jobs.
            if (Event(line) == "progress" && line.GetProperty("status").GetString() == "running"
                && line.GetProperty("blocks")[0].GetProperty("status").GetString() == "completed")
            {
                running.TrySetResult();
            }
        };
        process.BeginOutputReadLine();
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        try
        {
            // A progress line of the running run with its source done first (the jobs are held: it cannot end by itself), then Ctrl+C.
            // (The delay only keeps a broken build from hanging the suite; it is no timing assumption of the test.)
            await Task.WhenAny(running.Task, process.WaitForExitAsync(Ct), Task.Delay(TimeSpan.FromMinutes(5), Ct));
            Assert.True(running.Task.IsCompleted, $"no progress line of the running run (exited: {process.HasExited}); lines: {string.Join(Environment.NewLine, Snapshot(lines))}");
            using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(Ct);
            }

            await process.WaitForExitAsync(Ct);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}: {await stderr}");
        Assert.Contains(lines, l => Event(l) == "cancelling");
        var end = lines[^1];
        Assert.Equal("cancelled", Event(end));
        Assert.Equal("cancelled", end.GetProperty("status").GetString());
        Assert.Equal(130, end.GetProperty("exit_code").GetInt32());

        // The source had finished: its file is whole; the enrichment block's file is there, marked partial.
        Assert.Equal(50, CsvRows(Path.Combine(output, "1_companies.csv")));
        Assert.True(File.Exists(Path.Combine(output, "2_enrich.csv")));
        var enrichFile = end.GetProperty("files").EnumerateArray().Single(f => f.GetProperty("file").GetString() == "2_enrich.csv");
        Assert.StartsWith("Partial results: the run was cancelled", enrichFile.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Enrichflow.Client.Models;
using Enrichflow.Client.Tests.Infrastructure;
using Enrichflow.Fakes;

namespace Enrichflow.Client.Tests.Cli;

/// <summary>
/// <c>enrichflow workflows|runs|notebooks</c> as a real process against a real server: tables by default, the API's JSON
/// with <c>--json</c>, and the exit codes of bad input (2), refusals (1), an unreachable server (3) and a failed run (4).
/// </summary>
public sealed class RemoteCliTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private LoopbackServer _server = null!;
    private string _directory = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await LoopbackServer.StartAsync();
        _directory = Path.Combine(_server.DataDirectory, "cli");
        Directory.CreateDirectory(_directory);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private Task<CliRunner.Result> Cli(params string[] args) => CliRunner.RunAsync(args, _server.BaseUrl, _server.ApiKey, _directory);

    private async Task<string> WriteAsync(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        await File.WriteAllTextAsync(path, text, Ct);
        return path;
    }

    private const string WorkflowFile = """
        {"workflow_name": "Clean leads", "workflow_description": "from the CLI",
         "workflow_definition": {
           "blocks": [{"sequence_number": 1, "block_name": "webhook", "block_id": "input", "specs": {}},
                      {"sequence_number": 2, "block_name": "validate_email", "block_id": "check", "specs": {"email_field": "email", "check_mx": false}},
                      {"sequence_number": 3, "block_name": "filter", "block_id": "keep", "specs": {"expression": "[email_status] = 'valid'"}}],
           "edges": [{"from_block_id": "input", "to_block_id": "check"}, {"from_block_id": "check", "to_block_id": "keep"}]}}
        """;

    private const string Leads = "name,email\nAda Lovelace,ada@example.com\nNot An Email,nope@@example\nGrace Hopper,grace@example.org\n";

    [Fact]
    public async Task Workflows_are_created_listed_shown_and_deleted_as_tables_and_as_json()
    {
        var file = await WriteAsync("leads.json", WorkflowFile);
        var created = await Cli("workflows", "create", file, "--id", "clean-leads");
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Contains("clean-leads", created.Stdout, StringComparison.Ordinal);
        Assert.Contains("validate_email", created.Stdout, StringComparison.Ordinal);
        Assert.Contains("[email_status] = 'valid'", created.Stdout, StringComparison.Ordinal);

        var table = await Cli("workflows", "list");
        Assert.Equal(0, table.ExitCode);
        var header = table.Stdout.Split('\n').First(l => l.Contains("ID", StringComparison.Ordinal));
        Assert.Matches(@"ID\s+│\s+NAME\s+│\s+STATUS\s+│\s+STEP\s+│\s+VERSION", header);
        Assert.Contains(table.Stdout.Split('\n'), l => l.Contains("clean-leads", StringComparison.Ordinal) && l.Contains("Clean leads", StringComparison.Ordinal) && l.Contains("draft", StringComparison.Ordinal));
        Assert.Contains("1 workflow(s).", table.Stdout, StringComparison.Ordinal);

        var json = await Cli("workflows", "list", "--json");
        var listed = Assert.Single(JsonDocument.Parse(json.Stdout).RootElement.EnumerateArray());
        Assert.Equal("clean-leads", listed.GetProperty("id").GetString());
        Assert.Equal(1, listed.GetProperty("version").GetInt32());

        var got = await Cli("workflows", "get", "clean-leads", "--json");
        var definition = JsonDocument.Parse(got.Stdout).RootElement.GetProperty("workflow_definition");
        Assert.Equal("[email_status] = 'valid'", definition.GetProperty("blocks")[2].GetProperty("specs").GetProperty("expression").GetString());

        // What `get --json` prints creates the same workflow again (under another id).
        var copy = await WriteAsync("copy.json", got.Stdout);
        var again = await Cli("workflows", "create", copy, "--id", "copy", "--json");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(3, JsonDocument.Parse(again.Stdout).RootElement.GetProperty("workflow_definition").GetProperty("blocks").GetArrayLength());

        var deleted = await Cli("workflows", "delete", "copy");
        Assert.Equal(0, deleted.ExitCode);
        Assert.Contains("Deleted workflow copy", deleted.Stdout, StringComparison.Ordinal);
        Assert.Single(await _server.Client.ListWorkflowsAsync(Ct));
    }

    [Fact]
    public async Task Validate_prints_valid_or_every_problem_with_exit_1()
    {
        var good = await Cli("workflows", "validate", await WriteAsync("good.json", WorkflowFile));
        Assert.True(good.ExitCode == 0, good.ToString());
        Assert.Equal("valid", good.Stdout.Trim());

        var bad = await Cli("workflows", "validate", await WriteAsync("bad.json", WorkflowFile.Replace("\"filter\"", "\"no_such_block\"", StringComparison.Ordinal)));
        Assert.Equal(1, bad.ExitCode);
        Assert.StartsWith("enrichflow: the server refused (400): Invalid workflow definition", bad.Stderr, StringComparison.Ordinal);
        Assert.Contains("  - body.workflow_definition.blocks[2].block_name: Block 'keep' names an unknown block", bad.Stderr, StringComparison.Ordinal);
        Assert.Contains("no_such_block", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_is_started_waited_listed_watched_and_downloaded()
    {
        await Cli("workflows", "create", await WriteAsync("leads.json", WorkflowFile), "--id", "clean-leads");
        var input = await WriteAsync("leads.csv", Leads);
        var started = await Cli("runs", "start", "clean-leads", "--input", input, "--wait");
        Assert.True(started.ExitCode == 0, started.ToString());
        Assert.Contains("completed (100%)", started.Stdout, StringComparison.Ordinal);
        Assert.Contains(started.Stdout.Split('\n'), l => l.Contains("keep", StringComparison.Ordinal) && l.Contains("filter", StringComparison.Ordinal) && l.Contains("completed", StringComparison.Ordinal));

        var list = await Cli("runs", "list", "--json");
        var run = Assert.Single(JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray());
        var runId = run.GetProperty("job_id").GetString()!;
        Assert.Equal(3, run.GetProperty("metrics").GetProperty("rows_in").GetInt64());
        var table = await Cli("runs", "list", "--workflow", "clean-leads");
        Assert.Contains(table.Stdout.Split('\n'), l => l.Contains(runId, StringComparison.Ordinal) && l.Contains("completed", StringComparison.Ordinal));

        var watch = await Cli("runs", "watch", runId, "--json");
        Assert.Equal(0, watch.ExitCode);
        var last = JsonDocument.Parse(watch.Stdout.Trim().Split('\n')[^1]).RootElement;
        Assert.Equal("completed", last.GetProperty("overall_status").GetString());
        Assert.Equal(runId, last.GetProperty("run_id").GetString());

        var output = Path.Combine(_directory, "results");
        var download = await Cli("runs", "download", runId, "--out", output);
        Assert.True(download.ExitCode == 0, download.ToString());
        Assert.Equal(["1_input.csv", "2_check.csv", "3_keep.csv"], Directory.GetFiles(output).Select(Path.GetFileName).Order());
        var rows = await File.ReadAllLinesAsync(Path.Combine(output, "3_keep.csv"), Ct);
        Assert.Equal(3, rows.Length);
        Assert.StartsWith("Grace Hopper,grace@example.org,valid", rows[2], StringComparison.Ordinal);

        var rejects = await Cli("runs", "download", runId, "--out", output, "--format", "rejects", "--json");
        Assert.Equal("rejects.ndjson", Assert.Single(JsonDocument.Parse(rejects.Stdout).RootElement.EnumerateArray()).GetProperty("filename").GetString());
        Assert.Contains("nope@@example", await File.ReadAllTextAsync(Path.Combine(output, "rejects.ndjson"), Ct), StringComparison.Ordinal);

        var cancel = await Cli("runs", "cancel", runId);
        Assert.Equal(0, cancel.ExitCode);
        Assert.Contains($"Run {runId} is completed.", cancel.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_and_ndjson_inputs_are_streamed_to_a_webhook_workflow_and_a_bad_line_exits_2()
    {
        await Cli("workflows", "create", await WriteAsync("leads.json", WorkflowFile), "--id", "clean-leads");
        var array = await WriteAsync("rows.json", """[{"name": "Ada Lovelace", "email": "ada@example.com"}, {"name": "Bob", "email": "bob@@x"}]""");
        var fromArray = await Cli("runs", "start", "clean-leads", "--input", array, "--wait", "--json");
        Assert.True(fromArray.ExitCode == 0, fromArray.ToString());
        var lines = await WriteAsync("rows.ndjson", "{\"name\": \"Ada\", \"email\": \"ada@example.com\"}\n\n{\"name\": \"Grace\", \"email\": \"grace@example.org\"}\n");
        var fromLines = await Cli("runs", "start", "clean-leads", "--input", lines, "--wait");
        Assert.True(fromLines.ExitCode == 0, fromLines.ToString());
        var runs = await _server.Client.ListRunsAsync(cancellationToken: Ct);
        Assert.Equal([2L, 2L], runs.Select(r => r.Metrics!.RowsIn!.Value));

        var broken = await WriteAsync("broken.ndjson", "{\"name\": \"Ada\"}\n{\"name\": \"Bob\"}\n{\"name\": \"Eve\",}\n");
        var bad = await Cli("runs", "start", "clean-leads", "--input", broken);
        Assert.Equal(2, bad.ExitCode);
        Assert.StartsWith($"enrichflow: input file '{broken}' is not valid JSON at line 3, column 16", bad.Stderr.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watching_a_cancelled_run_exits_4()
    {
        // A run paused by its budget of 0 credits before its first paid call: it waits until the CLI cancels it.
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions(), Ct);
        await using var server = await LoopbackServer.StartAsync(fake.ProviderConfiguration("paid", "sixtyfour"));
        var definition = new WorkflowDefinition(
            [
                new WorkflowBlock(1, "webhook", BlockId: "input"),
                new WorkflowBlock(2, "enrich_company", new System.Text.Json.Nodes.JsonObject { ["provider"] = "paid", ["return_fields"] = new System.Text.Json.Nodes.JsonObject { ["country"] = "Country" } }, "enrich"),
            ],
            [new WorkflowEdge("input", "enrich")]);
        var workflow = await server.Client.CreateWorkflowAsync(new CreateWorkflowRequest("Paid", definition), Ct);
        var started = await server.Client.StartRunAsync(workflow.Id, RunRequest.WithRows([new System.Text.Json.Nodes.JsonObject { ["name"] = "Company 1", ["website"] = "https://c1.example" }]) with { MaxCredits = 0 }, cancellationToken: Ct);
        while ((await server.Client.GetLiveStatusAsync(started.JobId, Ct)).OverallStatus != RunStatuses.Paused)
        {
            await Task.Delay(50, Ct);
        }

        var cancel = await CliRunner.RunAsync(["runs", "cancel", started.JobId], server.BaseUrl, server.ApiKey, _directory);
        Assert.Equal($"Run {started.JobId} is cancelled.", cancel.Stdout.Trim());
        var watch = await CliRunner.RunAsync(["runs", "watch", started.JobId], server.BaseUrl, server.ApiKey, _directory);
        Assert.Equal(4, watch.ExitCode);
        Assert.StartsWith($"enrichflow: run {started.JobId} cancelled", watch.Stderr.Trim(), StringComparison.Ordinal);
        Assert.Contains(watch.Stdout.Split('\n'), l => l.Contains("enrich", StringComparison.Ordinal) && l.Contains("cancelled", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failed_run_exits_4_with_its_reason()
    {
        var file = await WriteAsync("strict.json", """{"workflow_name": "Strict", "workflow_definition": {"blocks": [{"sequence_number": 1, "block_name": "read_csv", "block_id": "read", "specs": {"strict": true}}]}}""");
        var created = await Cli("workflows", "create", file, "--id", "strict", "--json");
        Assert.True(created.ExitCode == 0, created.ToString());
        var input = await WriteAsync("broken.csv", "name,email\nAda,\"ada@example.com\nBob,bob@example.com\n");
        var run = await Cli("runs", "start", "strict", "--input", input, "--wait", "--json");
        Assert.Equal(4, run.ExitCode);
        Assert.Matches(@"^enrichflow: run [0-9a-f-]+ failed: .*line 2", run.Stderr.Trim());
        Assert.Equal("failed", JsonDocument.Parse(run.Stdout.Trim().Split('\n')[^1]).RootElement.GetProperty("overall_status").GetString());
    }

    [Fact]
    public async Task A_workflow_file_that_does_not_parse_exits_2_naming_line_and_column()
    {
        var file = await WriteAsync("broken.json", "{\"workflow_name\": \"x\",\n  \"workflow_definition\": {\"blocks\": [\n    {\"sequence_number\": 1,, \"block_name\": \"webhook\"}]}}\n");
        foreach (var command in new[] { "create", "validate" })
        {
            var result = await Cli("workflows", command, file);
            Assert.Equal(2, result.ExitCode);
            Assert.Equal($"enrichflow: workflow file '{file}' is not valid JSON at line 3, column 27: ',' is an invalid start of a property name. Expected a '\"'", result.Stderr.Trim());
            Assert.Equal("", result.Stdout);
        }

        var wrongType = await Cli("workflows", "create", await WriteAsync("type.json", """{"blocks": [{"sequence_number": {"a": 1}, "block_name": "webhook"}]}"""));
        Assert.Equal(2, wrongType.ExitCode);
        Assert.Contains("$.blocks[0].sequence_number", wrongType.Stderr, StringComparison.Ordinal);
        Assert.Empty(await _server.Client.ListWorkflowsAsync(Ct));
    }

    [Fact]
    public async Task Files_that_do_not_exist_exit_2_naming_them()
    {
        var missingWorkflow = await Cli("workflows", "create", "nope.json");
        Assert.Equal(2, missingWorkflow.ExitCode);
        Assert.Equal("enrichflow: workflow file 'nope.json' does not exist.", missingWorkflow.Stderr.Trim());

        await Cli("workflows", "create", await WriteAsync("leads.json", WorkflowFile), "--id", "clean-leads");
        var missingInput = await Cli("runs", "start", "clean-leads", "--input", "leads-missing.csv");
        Assert.Equal(2, missingInput.ExitCode);
        Assert.Equal("enrichflow: input file 'leads-missing.csv' does not exist.", missingInput.Stderr.Trim());
        Assert.Empty(await _server.Client.ListRunsAsync(cancellationToken: Ct));

        var badFormat = await Cli("runs", "download", Guid.NewGuid().ToString(), "--out", _directory, "--format", "xlsx");
        Assert.Equal(2, badFormat.ExitCode);
        Assert.Contains("--format 'xlsx' is not one of csv, json, ndjson, rejects", badFormat.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_is_down_is_one_line_and_exit_3()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var url = $"http://127.0.0.1:{port}";

        foreach (var args in new[] { new[] { "workflows", "list" }, ["runs", "list", "--json"], ["notebooks", "list"], ["runs", "watch", Guid.NewGuid().ToString()] })
        {
            var result = await CliRunner.RunAsync([.. args, "--server", url], null, "ef_some-key", _directory);
            Assert.Equal(3, result.ExitCode);
            var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith($"enrichflow: cannot reach the server at {url}: ", line, StringComparison.Ordinal);
            Assert.Contains("refused", line, StringComparison.OrdinalIgnoreCase);
            Assert.Equal("", result.Stdout);
        }

        // ENRICHFLOW_URL is read the same way.
        var fromEnvironment = await CliRunner.RunAsync(["workflows", "list"], url, "ef_some-key", _directory);
        Assert.Equal(3, fromEnvironment.ExitCode);
        Assert.Contains(url, fromEnvironment.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refusals_exit_1_with_the_detail_and_usage_errors_exit_2()
    {
        var unknown = await Cli("workflows", "get", "nope");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal("enrichflow: the server refused (404): Workflow not found", unknown.Stderr.Trim());

        var wrongKey = await CliRunner.RunAsync(["runs", "list", "--key", "ef_wrong"], _server.BaseUrl, null, _directory);
        Assert.Equal(1, wrongKey.ExitCode);
        Assert.Equal("enrichflow: the server refused (401): Invalid API key", wrongKey.Stderr.Trim());

        var noKey = await CliRunner.RunAsync(["workflows", "list"], _server.BaseUrl, null, _directory);
        Assert.Equal(2, noKey.ExitCode);
        Assert.Equal("enrichflow: no API key: pass --key KEY or set ENRICHFLOW_API_KEY.", noKey.Stderr.Trim());

        var badServer = await CliRunner.RunAsync(["workflows", "list", "--server", "ftp://example"], null, "k", _directory);
        Assert.Equal(2, badServer.ExitCode);

        var help = await Cli("runs", "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("Exit codes: 0 ok; 1 the API refused", help.Stdout, StringComparison.Ordinal);
        Assert.Contains("3 the server cannot be reached; 4 the run failed or was cancelled", help.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Notebooks_are_listed_shown_downloaded_and_deleted()
    {
        var definition = new WorkflowDefinition(
            [
                new WorkflowBlock(1, "webhook", BlockId: "input"),
                new WorkflowBlock(2, "append_to_notebook", new System.Text.Json.Nodes.JsonObject { ["notebook_id"] = "__create_new__", ["notebook_name"] = "seen" }, "save"),
            ],
            [new WorkflowEdge("input", "save")]);
        var workflow = await _server.Client.CreateWorkflowAsync(new CreateWorkflowRequest("Remember", definition), Ct);
        await _server.Client.RunAndWaitAsync(workflow.Id, RunRequest.WithRows(Definitions.Leads(4)), cancellationToken: Ct);

        var json = await Cli("notebooks", "list", "--json");
        var notebook = Assert.Single(JsonDocument.Parse(json.Stdout).RootElement.EnumerateArray());
        var id = notebook.GetProperty("id").GetString()!;
        Assert.Equal(4, notebook.GetProperty("row_count").GetInt64());
        var table = await Cli("notebooks", "get", id);
        Assert.Contains(table.Stdout.Split('\n'), l => l.Contains(id, StringComparison.Ordinal) && l.Contains("seen", StringComparison.Ordinal));

        var download = await Cli("notebooks", "download", id, "--out", Path.Combine(_directory, "nb"));
        Assert.True(download.ExitCode == 0, download.ToString());
        Assert.Equal(5, (await File.ReadAllLinesAsync(Directory.GetFiles(Path.Combine(_directory, "nb")).Single(), Ct)).Length);

        Assert.Equal(0, (await Cli("notebooks", "delete", id)).ExitCode);
        var gone = await Cli("notebooks", "get", id);
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains("Notebook not found", gone.Stderr, StringComparison.Ordinal);
    }
}

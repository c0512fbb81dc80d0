using System.Diagnostics;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests;

/// <summary>The README's curl flow, executed as written against a real server (docs that cannot rot).</summary>
public sealed class ReadmeTests
{
    [Fact]
    public async Task The_readme_curl_flow_runs_against_a_real_server()
    {
        var script = await ReadmeFlowAsync();
        Assert.StartsWith("set -euo pipefail\n", script, StringComparison.Ordinal);

        await using var server = await TestServer.StartAsync();
        var (exitCode, stdout, stderr) = await RunAsync(server.DataDirectory, script, server.BaseUrl, server.ApiKey);
        Assert.True(exitCode == 0, $"the README flow failed ({exitCode}):\n{stdout}\n{stderr}");

        // The list printed first is empty; the download is the CSV with the two good leads.
        Assert.StartsWith("[]", stdout, StringComparison.Ordinal);
        var csv = stdout[2..].Trim().Split('\n');
        Assert.Equal(3, csv.Length);
        Assert.StartsWith("name,email,email_status", csv[0], StringComparison.Ordinal);
        Assert.StartsWith("Ada Lovelace,ada@example.com,valid", csv[1], StringComparison.Ordinal);
        Assert.StartsWith("Grace Hopper,grace@example.org,valid", csv[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_readme_curl_flow_stops_at_once_with_the_servers_detail_on_a_wrong_key()
    {
        var script = await ReadmeFlowAsync();
        await using var server = await TestServer.StartAsync();
        var (exitCode, stdout, stderr) = await RunAsync(server.DataDirectory, script, server.BaseUrl, "ef_not_a_key");

        Assert.NotEqual(0, exitCode);
        Assert.Equal("", stdout);
        Assert.Contains("""enrichflow: request failed: {"detail":"Invalid API key"}""", stderr, StringComparison.Ordinal);
        Assert.Contains("401", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_readme_curl_flow_stops_at_once_when_the_server_is_down()
    {
        var script = await ReadmeFlowAsync();
        var data = Path.Combine(Path.GetTempPath(), "enrichflow-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        var down = $"http://127.0.0.1:{ServerProcess.FreePort()}";
        var (exitCode, stdout, stderr) = await RunAsync(data, script, down, "ef_any");

        Assert.NotEqual(0, exitCode);
        Assert.Equal("", stdout);
        Assert.Contains("Failed to connect", stderr, StringComparison.Ordinal);
        Assert.Contains($"enrichflow: request failed: no answer from {down}", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_readme_poll_stops_with_the_reason_when_the_run_failed()
    {
        // The README's own preamble and poll (step 4), over a run that really failed: its block names a column no row has.
        var script = await ReadmeFlowAsync();
        var preamble = script[..script.IndexOf("# 1.", StringComparison.Ordinal)];
        var poll = script[script.IndexOf("# 4.", StringComparison.Ordinal)..script.IndexOf("# 5.", StringComparison.Ordinal)];
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync("""
            {"blocks": [
              {"sequence_number": 1, "block_name": "webhook", "block_id": "input", "specs": {}},
              {"sequence_number": 2, "block_name": "validate_email", "block_id": "check", "specs": {"email_field": "mail", "check_mx": false}}],
             "edges": [{"from_block_id": "input", "to_block_id": "check"}]}
            """);
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = new[] { new { name = "Ada", email = "ada@example.com" } } });
        Assert.Equal("failed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());

        var (exitCode, stdout, stderr) = await RunAsync(server.DataDirectory, preamble + $"JOB_ID={runId}\n" + poll + "echo 'not reached'\n", server.BaseUrl, server.ApiKey);

        Assert.NotEqual(0, exitCode);
        Assert.DoesNotContain("not reached", stdout, StringComparison.Ordinal);
        Assert.Contains($"enrichflow: run {runId} failed: ", stderr, StringComparison.Ordinal);
        Assert.Contains("'mail'", stderr, StringComparison.Ordinal);
    }

    /// <summary>The bash block between the README's readme-flow markers.</summary>
    private static async Task<string> ReadmeFlowAsync()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "README.md"), TestContext.Current.CancellationToken);
        var start = readme.IndexOf("<!-- readme-flow:start -->", StringComparison.Ordinal);
        var end = readme.IndexOf("<!-- readme-flow:end -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "the README lost its readme-flow markers");
        var block = readme[start..end];
        return block[(block.IndexOf("```bash\n", StringComparison.Ordinal) + 8)..block.LastIndexOf("```", StringComparison.Ordinal)];
    }

    /// <summary>Runs <paramref name="script"/> with bash, as a user would (a file), against <paramref name="baseUrl"/>.</summary>
    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string directory, string script, string baseUrl, string apiKey)
    {
        var path = Path.Combine(directory, $"readme-flow-{Guid.NewGuid():N}.sh");
        await File.WriteAllTextAsync(path, script, TestContext.Current.CancellationToken);
        var start = new ProcessStartInfo("bash", [path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["BASE_URL"] = baseUrl, ["API_KEY"] = apiKey, ["NO_PROXY"] = "127.0.0.1,localhost" },
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await errors);
    }

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Enrichflow.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ThisFile())!, "..", ".."));
    }

    private static string ThisFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;
}

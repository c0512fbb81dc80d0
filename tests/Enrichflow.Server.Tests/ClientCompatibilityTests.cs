using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests;

/// <summary>
/// Clients written the way Sixtyfour's public docs show their Workflows API being used (Python
/// <c>requests</c>, JavaScript <c>fetch</c>) run against Enrichflow as real child processes, changed only in
/// base URL and API key. The scripts live in <c>tests/clients/</c>.
/// </summary>
public sealed class ClientCompatibilityTests
{
    private const int LeadsSent = 20;
    private const int ValidLeads = 15;
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromMinutes(2);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Python_requests_client_from_sixtyfour_docs_runs_unchanged()
    {
        await using var server = await TestServer.StartAsync();
        var result = await RunClientAsync("python3", "sixtyfour_client.py", server.BaseUrl, server.ApiKey);
        await AssertFullFlowAsync(server, result, "python-requests");
    }

    [Fact]
    public async Task Node_fetch_client_from_sixtyfour_docs_runs_unchanged()
    {
        await using var server = await TestServer.StartAsync();
        var result = await RunClientAsync("node", "sixtyfour_client.mjs", server.BaseUrl, server.ApiKey);
        await AssertFullFlowAsync(server, result, "node-fetch");
    }

    [Fact]
    public async Task Python_client_with_another_organizations_key_gets_404_for_the_first_organizations_run()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookValidate);
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = new object[] { new { email = "ok@example.com" }, new { email = "nope" } } });
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());

        var acmeKey = await server.CreateKeyAsync("acme");
        var result = await RunClientAsync("python3", "sixtyfour_client.py", server.BaseUrl, acmeKey, "--foreign-run", runId, "--foreign-workflow", workflow);
        Assert.True(result.ExitCode == 0, result.Describe());
        var summary = result.Summary();
        Assert.True(summary.GetProperty("ok").GetBoolean(), result.Describe());

        // A foreign id must look exactly like an unknown one (never reveal which).
        using var acme = server.NewClient(acmeKey);
        var unknownRun = "00000000-0000-7000-8000-000000000000";
        var unknownRunResponse = await acme.GetAsync($"/workflows/runs/{unknownRun}/live_status", Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknownRunResponse.StatusCode);
        var unknownRunDetail = (await unknownRunResponse.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString();
        var unknownWorkflowResponse = await acme.GetAsync("/workflows/no-such-workflow", Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknownWorkflowResponse.StatusCode);
        var unknownWorkflowDetail = (await unknownWorkflowResponse.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString();

        var responses = summary.GetProperty("responses");
        var expected = new Dictionary<string, string?>
        {
            [$"/workflows/runs/{runId}/live_status"] = unknownRunDetail,
            [$"/workflows/runs/{runId}/results/download-links"] = unknownRunDetail,
            [$"/workflows/{workflow}"] = unknownWorkflowDetail,
        };
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), responses.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        foreach (var (path, detail) in expected)
        {
            var response = responses.GetProperty(path);
            Assert.Equal(404, response.GetProperty("status_code").GetInt32());
            Assert.Equal(detail, response.GetProperty("detail").GetString());
        }

        // Control: the owner still reads the run.
        var own = await server.Client.GetAsync($"/workflows/runs/{runId}/live_status", Ct);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    private static async Task AssertFullFlowAsync(TestServer server, ClientResult result, string client)
    {
        Assert.True(result.ExitCode == 0, result.Describe());
        var summary = result.Summary();
        Assert.True(summary.GetProperty("ok").GetBoolean(), result.Describe());
        Assert.Equal(client, summary.GetProperty("client").GetString());
        Assert.Equal(LeadsSent, summary.GetProperty("leads_sent").GetInt32());
        Assert.Equal(ValidLeads, summary.GetProperty("expected_valid").GetInt32());
        Assert.Equal(ValidLeads, summary.GetProperty("final_row_count").GetInt32());
        Assert.Equal(ValidLeads, summary.GetProperty("downloaded_rows").GetInt32());
        Assert.Equal("completed", summary.GetProperty("overall_status").GetString());
        Assert.Equal(100, summary.GetProperty("overall_progress_percentage").GetInt32());
        Assert.Equal(0, summary.GetProperty("workflows_listed_before").GetInt32());
        Assert.Equal(1, summary.GetProperty("workflows_listed_after").GetInt32());
        Assert.Equal(
            ["1_incoming_leads.csv", "2_check_emails.csv", "3_drop_invalid.csv"],
            summary.GetProperty("files").EnumerateArray().Select(f => f.GetString()));

        // What the client did is what the server recorded.
        var workflowId = summary.GetProperty("workflow_id").GetString()!;
        var jobId = summary.GetProperty("job_id").GetString()!;
        var runs = await server.Client.GetFromJsonAsync<JsonElement>($"/workflows/runs?workflow_id={workflowId}", Ct);
        var run = Assert.Single(runs.EnumerateArray());
        Assert.Equal(jobId, run.GetProperty("job_id").GetString());
        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal(LeadsSent, run.GetProperty("metrics").GetProperty("rows_in").GetInt64());
        Assert.Equal(ValidLeads, run.GetProperty("metrics").GetProperty("rows_out").GetInt64());
    }

    private static async Task<ClientResult> RunClientAsync(string executable, string script, string baseUrl, string apiKey, params string[] arguments)
    {
        var scriptPath = Path.Combine(RepositoryRoot(), "tests", "clients", script);
        Assert.True(File.Exists(scriptPath), $"client script not found at {scriptPath}");
        var startInfo = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = Path.GetDirectoryName(scriptPath)!,
        };
        startInfo.ArgumentList.Add(scriptPath);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["SIXTYFOUR_BASE_URL"] = baseUrl;
        startInfo.Environment["SIXTYFOUR_API_KEY"] = apiKey;
        startInfo.Environment["PYTHONUNBUFFERED"] = "1";
        // The server is on loopback: a proxy configured on the machine must not sit in between.
        foreach (var name in new[] { "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy" })
        {
            startInfo.Environment.Remove(name);
        }

        startInfo.Environment["NO_PROXY"] = "127.0.0.1,localhost";
        startInfo.Environment["no_proxy"] = "127.0.0.1,localhost";

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            Assert.Fail($"could not start '{executable}' (is it installed and on PATH?): {e.Message}");
        }

        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(ClientTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            Assert.Fail($"{executable} {script} did not exit within {ClientTimeout}; stdout: {await stdout}; stderr: {await stderr}");
        }

        return new ClientResult($"{executable} {script}", process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// The directory holding <c>Enrichflow.slnx</c>: above the test binary, or (when the build went to an
    /// artifacts folder outside the repository) above this source file or the shell's working directory.
    /// </summary>
    private static string RepositoryRoot([CallerFilePath] string sourceFile = "")
    {
        string?[] starts = [AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile), Environment.GetEnvironmentVariable("PWD"), Directory.GetCurrentDirectory()];
        foreach (var start in starts)
        {
            if (string.IsNullOrEmpty(start) || !Path.IsPathRooted(start))
            {
                continue;
            }

            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Enrichflow.slnx")))
                {
                    return directory.FullName;
                }
            }
        }

        throw new InvalidOperationException($"no directory containing Enrichflow.slnx above any of: {string.Join(", ", starts)}");
    }

    private sealed record ClientResult(string Command, int ExitCode, string Stdout, string Stderr)
    {
        /// <summary>The JSON summary: the last non-empty line the client printed.</summary>
        public JsonElement Summary()
        {
            var line = Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
            Assert.True(line is not null, $"{Command} printed no summary. {Describe()}");
            try
            {
                return JsonDocument.Parse(line).RootElement.Clone();
            }
            catch (JsonException e)
            {
                Assert.Fail($"{Command} printed a summary that is not JSON ({e.Message}). {Describe()}");
                throw;
            }
        }

        public string Describe() => $"{Command} exited {ExitCode}; stdout: {Stdout.Trim()}; stderr: {Stderr.Trim()}";
    }
}

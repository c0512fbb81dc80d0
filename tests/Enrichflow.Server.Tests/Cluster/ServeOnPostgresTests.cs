using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;
using Npgsql;

namespace Enrichflow.Server.Tests.Cluster;

/// <summary>
/// <c>enrichflow serve --store postgres://...</c> (issue 13 item 4): the whole scaled-out configuration in one real
/// process (PostgreSQL store, S3 blobs, units through Hangfire), and a PostgreSQL that cannot be reached at start.
/// </summary>
public sealed class ServeOnPostgresTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Serve_with_an_unreachable_postgresql_store_exits_2_naming_the_setting_without_the_password()
    {
        var store = $"postgres://enrichflow:hunter2@127.0.0.1:{ServerProcess.FreePort()}/enrichflow";
        var (exitCode, stdout, error) = await CliProcess.RunAsync(
            ["serve", "--urls", $"http://127.0.0.1:{ServerProcess.FreePort()}", "--data", ServerProcessClient.NewDataDirectory(), "--store", store], null, Ct);

        Assert.Equal(2, exitCode);
        Assert.Contains("cannot start: the store (Store = postgres://enrichflow:***@127.0.0.1:", error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_on_postgresql_s3_and_hangfire_completes_with_every_row_once_in_order()
    {
        var database = await NewDatabaseAsync();
        var bucket = await TestBackends.NewBucketAsync("cluster-", Ct);
        var data = ServerProcessClient.NewDataDirectory();
        const int Rows = 3_000;
        var csv = Path.Combine(data, "leads.csv");
        await ServerProcessClient.WriteCsvAsync(csv, "id,name,score", Enumerable.Range(0, Rows).Select(i => $"{i},lead {i},{i % 100}"));

        await using var server = await ServerProcess.StartAsync(data, ClusterEnvironment(database, bucket));
        using var http = ServerProcessClient.Create(server.BaseUrl, data);
        var workflow = await ServerProcessClient.CreateWorkflowAsync(http, "cluster-flow", Definitions.ReadCsvFilter);
        var runId = await ServerProcessClient.StartUploadRunAsync(http, workflow, csv);
        var live = await ServerProcessClient.WaitForEndAsync(http, runId);

        Assert.Equal("completed", live.GetProperty("overall_status").GetString());
        var links = await http.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}/results/download-links", Ct);
        var final = links.EnumerateArray().Last();
        var lines = (await http.GetStringAsync(final.GetProperty("download_url").GetString(), Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var expected = Enumerable.Range(0, Rows).Where(i => i % 100 >= 50).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(expected, lines.Skip(1).Select(line => line.Split(',')[0]));
        // The state is in PostgreSQL: the run and its units are rows there.
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(Ct);
        await using var units = new NpgsqlCommand("SELECT count(*) FROM work_units WHERE status = 'done'", connection);
        Assert.True((long)(await units.ExecuteScalarAsync(Ct))! >= Rows / 250 * 2);
    }

    [Fact]
    public async Task An_api_server_that_runs_no_units_and_one_worker_process_complete_a_run_together()
    {
        var database = await NewDatabaseAsync();
        var bucket = await TestBackends.NewBucketAsync("cluster-", Ct);
        var data = ServerProcessClient.NewDataDirectory();
        const int Rows = 2_000;
        var csv = Path.Combine(data, "leads.csv");
        await ServerProcessClient.WriteCsvAsync(csv, "id,name,score", Enumerable.Range(0, Rows).Select(i => $"{i},lead {i},{i % 100}"));
        var environment = ClusterEnvironment(database, bucket);
        environment["ENRICHFLOW_Dispatch__RunWorker"] = "false";
        await using var server = await ServerProcess.StartAsync(data, environment);
        using var http = ServerProcessClient.Create(server.BaseUrl, data);
        var workflow = await ServerProcessClient.CreateWorkflowAsync(http, "worker-flow", Definitions.ReadCsvFilter);
        var runId = await ServerProcessClient.StartUploadRunAsync(http, workflow, csv);

        // The API server alone runs no unit: the run waits for a worker.
        await Task.Delay(TimeSpan.FromSeconds(2), Ct);
        var waiting = await http.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}/live_status", Ct);
        Assert.NotEqual("completed", waiting.GetProperty("overall_status").GetString());

        using var worker = StartWorker(ServerProcessClient.NewDataDirectory(), ClusterEnvironment(database, bucket));
        try
        {
            var live = await ServerProcessClient.WaitForEndAsync(http, runId);
            Assert.Equal("completed", live.GetProperty("overall_status").GetString());
            var links = await http.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}/results/download-links", Ct);
            Assert.Equal(Rows / 2, links.EnumerateArray().Last().GetProperty("row_count").GetInt64());
        }
        finally
        {
            worker.Kill(entireProcessTree: true);
            await worker.WaitForExitAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_worker_without_a_postgresql_store_exits_2_saying_it_needs_one()
    {
        var (exitCode, _, error) = await CliProcess.RunAsync(["worker", "--data", ServerProcessClient.NewDataDirectory()], null, Ct);

        Assert.Equal(2, exitCode);
        Assert.Contains("needs the cluster's PostgreSQL store (--store postgres://... or the Store setting)", error, StringComparison.Ordinal);
    }

    /// <summary>A worker process; its output is read and dropped so that it never blocks on a full pipe.</summary>
    private static Process StartWorker(string data, Dictionary<string, string> environment)
    {
        var process = CliProcess.Start(["worker", "--data", data], environment);
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static Dictionary<string, string> ClusterEnvironment(string database, string bucket) => TestBackends.ClusterEnvironment(database, bucket);

    private static Task<string> NewDatabaseAsync() => TestBackends.NewPostgresDatabaseAsync("serve_", Ct);
}

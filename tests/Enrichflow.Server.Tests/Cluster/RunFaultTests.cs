using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Enrichflow.Fakes;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Cluster;

/// <summary>
/// Faults of the scaled-out backends in the middle of a run (issue 13 "Bad input and faults"), on real processes: a
/// PostgreSQL restarted under a running <c>serve</c>, an S3 server that answers 500/503, slowly or with a body cut
/// off. The run completes with every row exactly once, in input order.
/// </summary>
public sealed class RunFaultTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_run_goes_on_through_a_postgresql_restart_and_completes_with_every_row_once_in_order()
    {
        await using var postgres = await PostgresInstance.StartAsync(Ct);
        var database = await TestBackends.NewPostgresDatabaseAsync(postgres.ConnectionString, "fault_", Ct);
        var bucket = await TestBackends.NewBucketAsync("fault-", Ct);
        var data = ServerProcessClient.NewDataDirectory();
        const int Rows = 100_000;
        var csv = Path.Combine(data, "leads.csv");
        await ServerProcessClient.WriteCsvAsync(csv, "id,name,score", Enumerable.Range(0, Rows).Select(i => $"{i},lead {i},{i % 100}"));

        var environment = TestBackends.ClusterEnvironment(database, bucket);
        // A unit whose end could not be recorded runs again when its lease (and its Hangfire job's invisibility) runs
        // out: short ones keep the test short.
        environment["ENRICHFLOW_Engine__Lease"] = "00:00:10";
        environment["ENRICHFLOW_Dispatch__Hangfire__InvisibilityTimeout"] = "00:00:10";

        await using var server = await ServerProcess.StartAsync(data, environment);
        using var http = ServerProcessClient.Create(server.BaseUrl, data);
        var workflow = await ServerProcessClient.CreateWorkflowAsync(http, "restart-flow", Definitions.ReadCsvFilter);
        var runId = await ServerProcessClient.StartUploadRunAsync(http, workflow, csv);
        var live = await ServerProcessClient.WaitWhileRunningAsync(http, runId, live => Processed(live, "keep") > 0);
        Assert.True(Processed(live, "keep") < Rows, "the run finished before PostgreSQL could be restarted");

        await postgres.HaltAsync(Ct);
        // Down long enough for units to fail their commits and loops to lose their connections.
        await Task.Delay(TimeSpan.FromSeconds(5), Ct);
        await postgres.RestartAsync(Ct);

        var end = await WaitForEndThroughErrorsAsync(http, runId, server);
        Assert.Equal("completed", end.GetProperty("overall_status").GetString());
        await AssertEveryKeptRowOnceInOrderAsync(http, runId, Rows);
        // The server did lose its database under way (its loops and units logged the failed connections).
        Assert.Contains("NpgsqlException", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_goes_on_through_s3_answering_500_503_slowly_and_cut_off_and_completes_with_every_row_once_in_order()
    {
        var database = await TestBackends.NewPostgresDatabaseAsync("fault_", Ct);
        var bucket = await TestBackends.NewBucketAsync("fault-", Ct);
        await using var proxy = new S3FaultProxy(new Uri(TestBackends.S3Address + "/"));
        var data = ServerProcessClient.NewDataDirectory();
        const int Rows = 60_000;
        var csv = Path.Combine(data, "leads.csv");
        await ServerProcessClient.WriteCsvAsync(csv, "id,name,score", Enumerable.Range(0, Rows).Select(i => $"{i},lead {i},{i % 100}"));
        var environment = TestBackends.ClusterEnvironment(database, bucket);
        environment["ENRICHFLOW_Blobs__S3__ServiceUrl"] = proxy.Address.ToString().TrimEnd('/');
        // A slow answer is one that outlasts this: the request is abandoned and retried.
        environment["ENRICHFLOW_Blobs__S3__RequestTimeout"] = "00:00:02";

        await using var server = await ServerProcess.StartAsync(data, environment);
        using var http = ServerProcessClient.Create(server.BaseUrl, data);
        var workflow = await ServerProcessClient.CreateWorkflowAsync(http, "s3-fault-flow", Definitions.ReadCsvFilter);
        var runId = await ServerProcessClient.StartUploadRunAsync(http, workflow, csv);
        bool Objects(string line) => line.Contains($"/{bucket}/", StringComparison.Ordinal);
        bool Gets(string line) => line.StartsWith("GET ", StringComparison.Ordinal) && Objects(line) && !line.Contains('?', StringComparison.Ordinal);
        bool Puts(string line) => line.StartsWith("PUT ", StringComparison.Ordinal) && Objects(line);
        var before = proxy.Requests.Count;
        // Reads: two 503s, one answer slower than the request time-out, one body cut off; each retried by the store.
        proxy.Fail(2, HttpStatusCode.ServiceUnavailable, "SlowDown", Gets);
        proxy.Delay(1, TimeSpan.FromSeconds(5), Gets);
        proxy.BreakOff(1, 100, Gets);
        // Writes: seven failures in a row outlast one request's retries (5 attempts), so a unit fails and runs again.
        proxy.Fail(3, HttpStatusCode.InternalServerError, "InternalError", Puts);
        proxy.Fail(4, HttpStatusCode.ServiceUnavailable, "SlowDown", Puts);

        var end = await WaitForEndThroughErrorsAsync(http, runId, server);

        Assert.True(end.GetProperty("overall_status").GetString() == "completed", $"{end}\n{server.Output}");
        await AssertEveryKeptRowOnceInOrderAsync(http, runId, Rows);
        // The faults were met: the requests they answered were repeated, and the unit whose write outlasted its retries ran again.
        Assert.True(proxy.Requests.Count - before > 20, $"{proxy.Requests.Count - before} S3 requests during the run");
        Assert.Contains("failed on attempt 1", server.Output, StringComparison.Ordinal);
    }

    /// <summary>The run's final CSV (fetched through its signed link) holds each row of score ≥ 50 once, in input order.</summary>
    private static async Task AssertEveryKeptRowOnceInOrderAsync(HttpClient http, string runId, int rows)
    {
        var links = await http.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}/results/download-links", Ct);
        var final = links.EnumerateArray().Last();
        var lines = (await http.GetStringAsync(final.GetProperty("download_url").GetString(), Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var expected = Enumerable.Range(0, rows).Where(i => i % 100 >= 50).Select(i => i.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(expected, lines.Skip(1).Select(line => line.Split(',')[0]));
    }

    /// <summary>
    /// Polls the run's live status until it ends (at most 5 minutes). While a backend is down the server may answer
    /// 5xx or not at all; those polls are skipped, but the server process must stay up.
    /// </summary>
    private static async Task<JsonElement> WaitForEndThroughErrorsAsync(HttpClient http, string runId, ServerProcess server)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the run did not end in time; the server's output:\n{server.Output}");
            await Task.Delay(250, Ct);
            try
            {
                using var answer = await http.GetAsync($"/workflows/runs/{runId}/live_status", Ct);
                if (!answer.IsSuccessStatusCode)
                {
                    continue;
                }

                var live = await answer.Content.ReadFromJsonAsync<JsonElement>(Ct);
                if (live.GetProperty("overall_status").GetString() is not ("queued" or "running"))
                {
                    return live;
                }
            }
            catch (HttpRequestException)
            {
                Assert.True(await IsAliveAsync(server), $"the server process ended; its output:\n{server.Output}");
            }
        }
    }

    private static Task<bool> IsAliveAsync(ServerProcess server)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(server.Pid);
            return Task.FromResult(!process.HasExited);
        }
        catch (ArgumentException)
        {
            return Task.FromResult(false);
        }
    }

    private static long Processed(JsonElement live, string blockId) =>
        live.GetProperty("blocks").EnumerateArray().Single(b => b.GetProperty("block_id").GetString() == blockId).GetProperty("processed_count").GetInt64();
}

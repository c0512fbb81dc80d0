using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Enrichflow.Fakes;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Cluster;

/// <summary>
/// The cluster of issue 13's "Must show": one API process and three worker processes on one PostgreSQL and one S3
/// server run a 1M-row workflow with an enrichment block against a provider that allows 1,200 requests a minute and
/// 8 in flight, and two of the workers are killed with SIGKILL while it runs.
/// </summary>
public sealed class ClusterKillTests(ITestOutputHelper output)
{
    private const int Rows = 1_000_000;
    private const int PickEvery = 800;
    private const int RequestsPerMinute = 1_200;
    private const int MaxConcurrency = 8;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Pipeline = """
        {"blocks": [
          {"sequence_number": 1, "block_type": "read_csv", "block_name": "read_csv", "block_id": "input", "specs": {}},
          {"sequence_number": 2, "block_type": "filter", "block_name": "filter", "block_id": "us", "specs": {"expression": "[country] == 'US'"}},
          {"sequence_number": 3, "block_type": "filter", "block_name": "filter", "block_id": "picked", "specs": {"expression": "[pick] == 'y'"}},
          {"sequence_number": 4, "block_name": "enrich_company", "block_id": "enrich",
           "specs": {"company_field": "name", "website_field": "website", "provider": "s64",
                     "return_fields": {"employees": {"description": "Number of employees", "type": "int"}}}}],
         "edges": [{"from_block_id": "input", "to_block_id": "us"}, {"from_block_id": "input", "to_block_id": "picked"},
                   {"from_block_id": "picked", "to_block_id": "enrich"}]}
        """;

    [Fact]
    public async Task One_api_and_three_workers_two_of_them_killed_finish_a_million_rows_once_in_order_within_the_provider_limits()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions
        {
            HitPercent = 70,
            LatencyMin = TimeSpan.FromMilliseconds(50),
            LatencyMax = TimeSpan.FromMilliseconds(400),
            RequestsPerMinute = RequestsPerMinute,
        }, Ct);
        var environment = Environment(fake, await TestBackends.NewPostgresDatabaseAsync("cluster_", Ct), await TestBackends.NewBucketAsync("cluster-kill-", Ct));
        var data = ServerProcessClient.NewDataDirectory();
        var csv = Path.Combine(data, "leads.csv");
        await ServerProcessClient.WriteCsvAsync(csv, "id,name,website,country,pick", Enumerable.Range(0, Rows).Select(Line));

        var api = new Dictionary<string, string>(environment) { ["ENRICHFLOW_Dispatch__RunWorker"] = "false" };
        await using var server = await ServerProcess.StartAsync(data, api);
        var workers = Enumerable.Range(0, 3).Select(_ => StartWorker(environment)).ToList();
        try
        {
            using var http = ServerProcessClient.Create(server.BaseUrl, data);
            var workflow = await ServerProcessClient.CreateWorkflowAsync(http, "cluster-kill", Pipeline);
            var clock = Stopwatch.StartNew();
            var runId = await ServerProcessClient.StartUploadRunAsync(http, workflow, csv);

            // Two workers die at random moments of the enrichment, each with whatever calls it had in flight.
            var random = new Random();
            var victims = workers.OrderBy(_ => random.Next()).Take(2).ToList();
            var killedInFlight = 0;
            foreach (var (victim, afterCalls) in victims.Zip([random.Next(100, 400), random.Next(500, 900)]))
            {
                await WaitForCallsAsync(fake, afterCalls, http, runId);
                killedInFlight += fake.InFlight;
                if (victim == victims[0])
                {
                    // The API process shows the workers' leased shares of the provider's slots, within its limit.
                    var providers = await http.GetFromJsonAsync<JsonElement>("/providers", Ct);
                    var slots = providers.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "s64").GetProperty("cluster_slots");
                    Assert.InRange(slots.EnumerateArray().Sum(share => share.GetProperty("held").GetInt32()), 0, MaxConcurrency);
                    Assert.NotEmpty(slots.EnumerateArray());
                }

                victim.Kill(entireProcessTree: true);
                await victim.WaitForExitAsync(Ct);
                output.WriteLine($"killed worker {victim.Id} after {fake.TotalCalls} provider calls ({clock.Elapsed.TotalSeconds:0.0} s), {fake.InFlight} in flight");
            }

            var live = await WaitForEndAsync(http, runId, TimeSpan.FromMinutes(8));
            output.WriteLine($"run ended {live.GetProperty("overall_status")} after {clock.Elapsed.TotalSeconds:0.0} s");
            Assert.Equal("completed", live.GetProperty("overall_status").GetString());

            // Every row exactly once, in input order, in both final files.
            var links = (await http.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}/results/download-links", Ct)).EnumerateArray().ToList();
            var us = await DownloadIdsAsync(links.Single(link => link.GetProperty("block_id").GetString() == "us"));
            Assert.Equal(Rows / 2, us.Count);
            Assert.True(us.Select((id, i) => id == i * 2).All(same => same), "the US rows are not every even id once, in order");
            var enriched = await DownloadIdsAsync(links.Single(link => link.GetProperty("block_id").GetString() == "enrich"));
            Assert.Equal(Enumerable.Range(0, Rows / PickEvery).Select(i => i * PickEvery), enriched);

            // Each key paid for at least once; a repeat only for a call a killed worker had in flight.
            var calls = enriched.Select(id => fake.CallsFor(Key(id))).ToList();
            var repeated = calls.Sum(count => Math.Max(0, count - 1));
            output.WriteLine($"provider calls {fake.TotalCalls} for {enriched.Count} keys, repeated {repeated} (in flight at the kills: {killedInFlight}); "
                + $"most in one minute {fake.MaxCallsInWindow(TimeSpan.FromMinutes(1))} of {RequestsPerMinute}; most in flight {fake.MaxInFlight} of {MaxConcurrency}; 429s {fake.Throttled}");
            Assert.All(calls, count => Assert.True(count >= 1, "a picked row's company was never sent to the provider"));
            Assert.InRange(repeated, 0, killedInFlight);

            // The cluster together stayed within the provider's limits: never a 429, never more than the limit in a minute.
            Assert.Equal(0, fake.Throttled);
            Assert.InRange(fake.MaxCallsInWindow(TimeSpan.FromMinutes(1)), 1, RequestsPerMinute);
            Assert.InRange(fake.MaxInFlight, 1, MaxConcurrency);
        }
        finally
        {
            foreach (var worker in workers)
            {
                if (!worker.HasExited)
                {
                    worker.Kill(entireProcessTree: true);
                    await worker.WaitForExitAsync(CancellationToken.None);
                }

                worker.Dispose();
            }
        }
    }

    private static string Line(int i) =>
        string.Create(CultureInfo.InvariantCulture, $"{i},Company {i},https://{Key(i)},{(i % 2 == 0 ? "US" : "CA")},{(i % PickEvery == 0 ? "y" : "n")}");

    private static string Key(int i) => string.Create(CultureInfo.InvariantCulture, $"c{i}.example");

    private static async Task WaitForCallsAsync(FakeProviderServer fake, int calls, HttpClient http, string runId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(4);
        while (fake.TotalCalls < calls)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the provider saw only {fake.TotalCalls} calls in time");
            var live = await http.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}/live_status", Ct);
            Assert.Contains(live.GetProperty("overall_status").GetString(), new[] { "queued", "running" });
            await Task.Delay(50, Ct);
        }
    }

    private static async Task<JsonElement> WaitForEndAsync(HttpClient http, string runId, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var live = await http.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}/live_status", Ct);
            if (live.GetProperty("overall_status").GetString() is not ("queued" or "running"))
            {
                return live;
            }

            Assert.True(DateTime.UtcNow < deadline, $"run {runId} did not finish in time; last status {live}");
            await Task.Delay(500, Ct);
        }
    }

    /// <summary>The <c>id</c> column of a result file, streamed (the US file has 500,000 rows).</summary>
    private static async Task<List<int>> DownloadIdsAsync(JsonElement link)
    {
        using var anonymous = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        await using var body = await anonymous.GetStreamAsync(link.GetProperty("download_url").GetString(), Ct);
        using var reader = new StreamReader(body);
        var header = (await reader.ReadLineAsync(Ct))!.Split(',');
        var column = Array.IndexOf(header, "id");
        var ids = new List<int>();
        while (await reader.ReadLineAsync(Ct) is { } line)
        {
            ids.Add(int.Parse(line.Split(',')[column], CultureInfo.InvariantCulture));
        }

        return ids;
    }

    /// <summary>A worker process; its output is read and dropped so that it never blocks on a full pipe.</summary>
    private static Process StartWorker(Dictionary<string, string> environment)
    {
        var process = CliProcess.Start(["worker", "--data", ServerProcessClient.NewDataDirectory()], environment);
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static Dictionary<string, string> Environment(FakeProviderServer fake, string database, string bucket)
    {
        var environment = TestBackends.ClusterEnvironment(database, bucket);
        environment["ENRICHFLOW_Dispatch__Hangfire__InvisibilityTimeout"] = "00:00:05";
        environment["ENRICHFLOW_Engine__ChunkSize"] = "5000";
        environment["ENRICHFLOW_Engine__Lease"] = "00:00:05";
        environment["ENRICHFLOW_Limits__Shared__SlotLease"] = "00:00:10";
        var provider = fake.ProviderConfiguration("s64", "sixtyfour");
        provider["Providers:s64:MaxConcurrency"] = MaxConcurrency.ToString(CultureInfo.InvariantCulture);
        provider["Providers:s64:RequestsPerMinute"] = RequestsPerMinute.ToString(CultureInfo.InvariantCulture);
        provider["Providers:s64:UseAsyncJobs"] = "false";
        provider["Providers:s64:TimeoutSeconds"] = "30";
        foreach (var (key, value) in provider.Where(setting => setting.Value is not null))
        {
            environment["ENRICHFLOW_" + key.Replace(":", "__", StringComparison.Ordinal)] = value!;
        }

        return environment;
    }
}

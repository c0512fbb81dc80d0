using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Enrichflow.Fakes;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Enrichment;

/// <summary>
/// Durable provider jobs (issue 11, item 1; docs/api.md §8): Sixtyfour's long calls run as async jobs whose task ids
/// are recorded in the store before they are polled, so a server killed with SIGKILL while every job is in flight
/// polls those jobs after its restart instead of paying for them again. Before the fix the same test paid about
/// twice per row (every job was submitted again) and lost rows.
/// </summary>
public sealed class ProviderJobCrashTests(ITestOutputHelper output)
{
    private const int Rows = 200;
    private const int Lost = 3;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Pipeline = """
        {"blocks": [
          {"sequence_number": 1, "block_name": "read_csv", "block_id": "companies", "specs": {"dataframe_type": "COMPANY"}},
          {"sequence_number": 2, "block_name": "enrich_company", "block_id": "enrich",
           "specs": {"company_field": "name", "website_field": "website", "provider": "s64",
                     "return_fields": {"employees": {"description": "Number of employees", "type": "int"}, "country": "Country of the headquarters"}}}],
         "edges": [{"from_block_id": "companies", "to_block_id": "enrich"}]}
        """;

    [Fact]
    public async Task Async_jobs_all_in_flight_at_a_sigkill_are_polled_after_the_restart_instead_of_paid_for_again()
    {
        var data = ServerProcessClient.NewDataDirectory();
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions { HitPercent = 70, PollsUntilDone = 0 }, Ct);
        fake.HoldJobs = true;
        var environment = ServerEnvironment(fake);
        var csv = Path.Combine(data, "companies.csv");
        await ServerProcessClient.WriteCsvAsync(csv, "name,website", Enumerable.Range(0, Rows).Select(i => $"Company {i},https://{Key(i)}"));
        var port = ServerProcess.FreePort();
        string runId;
        await using (var first = await ServerProcess.StartAsync(data, environment, port))
        {
            using var http = ServerProcessClient.Create(first.BaseUrl, data);
            var workflow = await ServerProcessClient.CreateWorkflowAsync(http, "job-crash", Pipeline);
            var handle = await ServerProcessClient.UploadAsync(http, csv);
            var started = await http.PostAsJsonAsync($"/workflows/run?workflow_id={workflow}&result_formats=ndjson", new { specs_override = new { resource_handle_id = handle } }, Ct);
            runId = (await started.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("job_id").GetString()!;

            // A job is recorded before it is polled, so once the fake has seen a poll of every job, all are in the store.
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
            while (fake.JobsPolled < Rows)
            {
                Assert.True(DateTime.UtcNow < deadline, $"only {fake.JobsPolled} of {Rows} jobs were polled in time ({fake.TotalCalls} submitted):\n{first.Output}");
                await Task.Delay(20, Ct);
            }

            await first.KillAsync();
        }

        Assert.Equal(Rows, fake.TotalCalls);
        Assert.All(Enumerable.Range(0, Rows), i => Assert.Equal(1, fake.CallsFor(Key(i))));

        // While the server is down, the provider loses a few jobs (their polls answer 404) and the others finish.
        var lost = fake.ForgetJobs(Lost).ToHashSet(StringComparer.Ordinal);
        fake.HoldJobs = false;

        await using (var second = await ServerProcess.StartAsync(data, environment, port))
        {
            using var http = ServerProcessClient.Create(second.BaseUrl, data);
            var live = await ServerProcessClient.WaitForEndAsync(http, runId);
            Assert.True(live.GetProperty("overall_status").GetString() == "completed", $"{live}\n{second.Output}");

            // Paid submissions: one per row, and one more for each job the provider lost.
            output.WriteLine($"paid submissions: {fake.TotalCalls} for {Rows} rows; polls: {fake.Polls}; lost jobs: {string.Join(", ", lost)}");
            Assert.True(fake.TotalCalls <= Rows + 5, $"{fake.TotalCalls} paid submissions for {Rows} rows");
            Assert.Equal(Rows + Lost, fake.TotalCalls);
            Assert.All(Enumerable.Range(0, Rows), i => Assert.Equal(lost.Contains(Key(i)) ? 2 : 1, fake.CallsFor(Key(i))));

            // Every row enriched exactly once, in input order, none rejected.
            var links = await http.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}/results/download-links?format=ndjson&include_rejects=true", Ct);
            Assert.DoesNotContain(links.EnumerateArray(), l => l.GetProperty("filename").GetString() == "rejects.ndjson");
            using var anonymous = new HttpClient();
            var text = await anonymous.GetStringAsync(links.EnumerateArray().Last().GetProperty("download_url").GetString(), Ct);
            var rows = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.Equal(Enumerable.Range(0, Rows).Select(i => $"Company {i}"), rows.Select(r => r.GetProperty("name").GetString()));
            Assert.All(rows, r => Assert.Contains(r.GetProperty("enrich_status").GetString(), new[] { "ok", "not_found" }));
            Assert.Contains(rows, r => r.GetProperty("enrich_status").GetString() == "ok" && r.GetProperty("employees").ValueKind == JsonValueKind.Number);

            // The run's metrics say what happened: every job resumed, the lost ones submitted again (and paid twice).
            var step = Assert.Single(live.GetProperty("blocks")[1].GetProperty("metrics").GetProperty("providers").EnumerateArray());
            Assert.Equal(Rows, step.GetProperty("jobs_resumed").GetInt64());
            Assert.Equal(Lost, step.GetProperty("jobs_resubmitted").GetInt64());
            Assert.Equal(Rows + Lost, step.GetProperty("calls").GetInt64());
            Assert.Equal(0, step.GetProperty("not_retried").GetInt64());
            var run = await http.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}", Ct);
            Assert.Equal(Lost, Assert.Single(run.GetProperty("metrics").GetProperty("providers").EnumerateArray()).GetProperty("jobs_resubmitted").GetInt64());
        }

        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string Key(int i) => $"c{i}.example";

    /// <summary>The fake's <c>Providers:s64:*</c> settings (async jobs, every row in flight at once, quick polls) as <c>ENRICHFLOW_</c> variables.</summary>
    private static Dictionary<string, string> ServerEnvironment(FakeProviderServer fake)
    {
        var settings = fake.ProviderConfiguration("s64", "sixtyfour");
        settings["Providers:s64:MaxConcurrency"] = (Rows + 50).ToString(CultureInfo.InvariantCulture);
        settings["Providers:s64:RequestsPerMinute"] = "0";
        settings["Providers:s64:UseAsyncJobs"] = "true";
        settings["Providers:s64:PollIntervalSeconds"] = "0.2";
        settings["Providers:s64:TimeoutSeconds"] = "600";
        settings["Engine:ChunkSize"] = "100";
        settings["Engine:Lease"] = "00:00:05";
        return settings.Where(s => s.Value is not null)
            .ToDictionary(s => "ENRICHFLOW_" + s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!, StringComparer.Ordinal);
    }
}

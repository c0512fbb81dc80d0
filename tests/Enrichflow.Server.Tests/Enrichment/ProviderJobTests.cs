using System.Text.Json;
using Enrichflow.Fakes;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Enrichment;

/// <summary>
/// The record of a provider job (docs/api.md §8, durable provider jobs): kept while the job may still finish, so the
/// next call polls it instead of paying again, and forgotten once the job has ended and its answer is kept.
/// </summary>
public sealed class ProviderJobTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static JsonElement Step(JsonElement live) =>
        Assert.Single(live.GetProperty("blocks")[1].GetProperty("metrics").GetProperty("providers").EnumerateArray());

    [Fact]
    public async Task A_job_whose_wait_gave_up_is_polled_by_the_next_run_and_a_job_that_ended_is_forgotten()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions { HitPercent = 100, PollsUntilDone = 0 }, Ct);
        var settings = fake.ProviderConfiguration("s64", "sixtyfour");
        settings["Providers:s64:TimeoutSeconds"] = "1";
        settings["Providers:s64:PollIntervalSeconds"] = "0.1";
        await using var server = await TestServer.StartAsync(settings);
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookEnrichCompany);

        // The jobs outlast the wait: the rows fail, the jobs stay recorded.
        fake.HoldJobs = true;
        var first = await server.StartRunAsync(workflow, new { webhook_payload = Definitions.Companies(3) }, "&result_formats=ndjson");
        Assert.Equal("completed", (await server.WaitForRunAsync(first)).GetProperty("overall_status").GetString());
        var rejects = await RunRows.RejectsAsync(server, first);
        Assert.Equal(3, rejects.Count);
        Assert.All(rejects, r => Assert.Matches(@"s64: job task_\d+ did not finish within 1 s \(last status 'processing'\)$", r.GetProperty("reason").GetString()));
        Assert.Equal(3, fake.TotalCalls);

        // The next run over the rows waits on the same jobs, now done: nothing is paid again.
        fake.HoldJobs = false;
        var second = await server.StartRunAsync(workflow, new { webhook_payload = Definitions.Companies(3) }, "&result_formats=ndjson");
        var live = await server.WaitForRunAsync(second);
        Assert.Equal("completed", live.GetProperty("overall_status").GetString());
        Assert.All(await RunRows.FinalAsync(server, second), r => Assert.Equal("ok", r.GetProperty("enrich_status").GetString()));
        Assert.Equal(3, fake.TotalCalls);
        Assert.Equal(3, Step(live).GetProperty("jobs_resumed").GetInt64());
        Assert.Equal(0, Step(live).GetProperty("jobs_resubmitted").GetInt64());

        // Those jobs ended and their answers are cached, so their records are gone: a run with the cache off submits anew.
        var uncached = await server.StartRunAsync(workflow, new { webhook_payload = Definitions.Companies(3), cache_config = new { enabled = false } });
        var fresh = await server.WaitForRunAsync(uncached);
        Assert.Equal("completed", fresh.GetProperty("overall_status").GetString());
        Assert.Equal(6, fake.TotalCalls);
        Assert.Equal(0, Step(fresh).GetProperty("jobs_resumed").GetInt64());
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Enrichflow.Core.Storage;
using Enrichflow.Fakes;
using Enrichflow.Hosting.Schedules;
using Enrichflow.Server.Tests.Enrichment;
using Enrichflow.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Enrichflow.Server.Tests.Orgs;

/// <summary>
/// Per-organization limits (docs/api.md §1 "Organization limits", issue 11 items 4 and 11): API.md promised a 402 for an
/// exhausted organization budget and there was none; credits per day and month, quotas on runs and stored bytes.
/// </summary>
public sealed class OrgLimitTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static object Rows => new { webhook_payload = new[] { new { email = "ada@example.com" } } };

    private static DateOnly Today => DateOnly.FromDateTime(DateTime.UtcNow);

    private static Task SetLimitsAsync(TestServer server, OrgLimits limits) =>
        server.Services.GetRequiredService<IOrgLimitStore>().SetOrgLimitsAsync(limits with { UpdatedAt = DateTimeOffset.UtcNow }, Ct);

    /// <summary>Credits the organization spent earlier, as paid calls record them.</summary>
    private static Task SpendAsync(TestServer server, double credits, DateOnly day, string org = "default") =>
        server.Services.GetRequiredService<IUsageStore>().AddUsageAsync(
            [new UsageIncrement(org, Guid.NewGuid(), "enrich", "s64", day, Calls: (long)credits, Credits: credits)], Ct);

    private static async Task<(HttpStatusCode Status, string Detail)> PostAsync(HttpClient client, string path, object body)
    {
        var response = await client.PostAsJsonAsync(path, body, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        var detail = response.IsSuccessStatusCode ? text : JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString()!;
        return (response.StatusCode, detail);
    }

    private static async Task<JsonElement> LimitsAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/usage", Ct)).GetProperty("limits");

    [Fact]
    public async Task A_run_start_is_a_402_naming_the_limit_once_the_organizations_credits_of_the_day_are_used_up()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        await SetLimitsAsync(server, new OrgLimits("default", CreditsPerDay: 3));
        await SpendAsync(server, 2.5, Today);
        await SpendAsync(server, 50, Today.AddDays(-1));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(server.Client, $"/workflows/run?workflow_id={workflow}", Rows)).Status);

        await SpendAsync(server, 0.5, Today);
        var (status, detail) = await PostAsync(server.Client, $"/workflows/run?workflow_id={workflow}", Rows);
        Assert.Equal(HttpStatusCode.PaymentRequired, status);
        Assert.Contains("credits_per_day", detail, StringComparison.Ordinal);
        Assert.Contains("used 3 of its 3 credits per day", detail, StringComparison.Ordinal);
        Assert.Contains("enrichflow orgs limits set default --credits-per-day", detail, StringComparison.Ordinal);

        // Interactive sessions are runs: the same answer.
        var (sessionStatus, sessionDetail) = await PostAsync(server.Client, "/workflows/interactive/start", new { block_name = "webhook", specs = new { }, webhook_payload = new[] { new { a = 1 } } });
        Assert.Equal(HttpStatusCode.PaymentRequired, sessionStatus);
        Assert.Contains("credits_per_day", sessionDetail, StringComparison.Ordinal);

        // Another organization is not concerned; a raised limit counts at once.
        using var other = server.NewClient(await server.CreateKeyAsync("other"));
        var otherWorkflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly, client: other);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(other, $"/workflows/run?workflow_id={otherWorkflow}", Rows)).Status);
        await SetLimitsAsync(server, new OrgLimits("default", CreditsPerDay: 4));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(server.Client, $"/workflows/run?workflow_id={workflow}", Rows)).Status);
    }

    [Fact]
    public async Task The_credits_of_the_month_count_every_day_of_the_utc_month_and_the_server_default_applies_where_an_org_sets_none()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Limits:Org:CreditsPerMonth"] = "10" });
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        if (Today.Day > 1)
        {
            await SpendAsync(server, 6, Today.AddDays(-1));
        }

        await SpendAsync(server, Today.Day > 1 ? 4 : 10, Today);
        var (status, detail) = await PostAsync(server.Client, $"/workflows/run?workflow_id={workflow}", Rows);
        Assert.Equal(HttpStatusCode.PaymentRequired, status);
        Assert.Contains("used 10 of its 10 credits per month (credits_per_month)", detail, StringComparison.Ordinal);
        var limits = await LimitsAsync(server.Client);
        Assert.Equal(10, limits.GetProperty("credits_per_month").GetProperty("limit").GetDouble());
        Assert.Equal(0, limits.GetProperty("credits_per_month").GetProperty("remaining").GetDouble());

        // The organization's own limit wins over the default.
        await SetLimitsAsync(server, new OrgLimits("default", CreditsPerMonth: 1000));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(server.Client, $"/workflows/run?workflow_id={workflow}", Rows)).Status);
    }

    [Fact]
    public async Task A_due_time_of_a_schedule_over_the_organizations_limits_starts_no_run_and_keeps_the_reason()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 10, 0, 30, TimeSpan.Zero));
        await using var server = await TestServer.StartAsync(services: s => s.AddSingleton(new SchedulerClock(clock)));
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var created = await server.Client.PostAsJsonAsync("/schedules",
            new { workflow_id = workflow, name = "every minute", cron_expression = "* * * * *", webhook_payload = new[] { new { a = 1 } } }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var schedule = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetString()!;
        await SetLimitsAsync(server, new OrgLimits("default", CreditsPerDay: 0));
        clock.SetUtcNow(new DateTimeOffset(2026, 1, 5, 10, 1, 1, TimeSpan.Zero));

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        JsonElement current;
        while ((current = await server.Client.GetFromJsonAsync<JsonElement>($"/schedules/{schedule}", Ct)).GetProperty("last_error").ValueKind == JsonValueKind.Null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the due time was never taken: {current}");
            await Task.Delay(20, Ct);
        }

        Assert.Contains("credits_per_day", current.GetProperty("last_error").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, current.GetProperty("last_job_id").ValueKind);
        Assert.Empty((await server.Client.GetFromJsonAsync<JsonElement>($"/workflows/runs?workflow_id={workflow}", Ct)).EnumerateArray());
    }

    [Fact]
    public async Task A_bad_server_default_stops_the_server_naming_the_key()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => TestServer.StartAsync(new Dictionary<string, string?> { ["Limits:Org:MaxRunningRuns"] = "-1" }));
        Assert.Contains("Limits:Org:MaxRunningRuns", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_running_run_pauses_before_the_call_that_would_pass_the_organizations_budget_and_resume_after_raising_it_completes()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions(), Ct);
        var settings = fake.ProviderConfiguration("s64", "sixtyfour");
        settings["Engine:ChunkSize"] = "10";
        await using var server = await TestServer.StartAsync(settings);
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookEnrichCompany);
        await SetLimitsAsync(server, new OrgLimits("default", CreditsPerDay: 5));
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = Definitions.Companies(30) }, "&result_formats=ndjson");

        var paused = await server.WaitForStatusAsync(runId, TimeSpan.FromSeconds(60), "paused", "completed", "failed");
        Assert.Equal("paused", paused.GetProperty("overall_status").GetString());
        var reason = paused.GetProperty("status_reason").GetString()!;
        Assert.Contains("credits_per_day", reason, StringComparison.Ordinal);
        Assert.Contains("of its 5 credits per day", reason, StringComparison.Ordinal);
        Assert.Contains($"POST /workflows/resume?job_id={runId}", reason, StringComparison.Ordinal);

        // Calls under way when it paused finish and are kept: exactly the budget, never more.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while ((await LimitsAsync(server.Client)).GetProperty("credits_per_day").GetProperty("used").GetDouble() < 5 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, Ct);
        }

        Assert.Equal(5, fake.TotalCalls);
        var day = (await LimitsAsync(server.Client)).GetProperty("credits_per_day");
        Assert.Equal(5, day.GetProperty("used").GetDouble());
        Assert.Equal(0, day.GetProperty("remaining").GetDouble());
        Assert.Equal(Today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), day.GetProperty("period").GetString());
        Assert.Equal(HttpStatusCode.PaymentRequired, (await PostAsync(server.Client, $"/workflows/run?workflow_id={workflow}", new { webhook_payload = Definitions.Companies(1) })).Status);

        // Resumed while the budget is still used up, it pauses again without a call.
        Assert.Equal(HttpStatusCode.OK, (await server.Client.PostAsync($"/workflows/resume?job_id={runId}", null, Ct)).StatusCode);
        Assert.Equal("paused", (await server.WaitForStatusAsync(runId, TimeSpan.FromSeconds(60), "paused", "completed", "failed")).GetProperty("overall_status").GetString());
        Assert.Equal(5, fake.TotalCalls);

        await SetLimitsAsync(server, new OrgLimits("default", CreditsPerDay: 100));
        Assert.Equal(HttpStatusCode.OK, (await server.Client.PostAsync($"/workflows/resume?job_id={runId}", null, Ct)).StatusCode);
        var live = await server.WaitForRunAsync(runId);
        Assert.Equal("completed", live.GetProperty("overall_status").GetString());
        Assert.Equal(30, fake.TotalCalls);
        Assert.Equal(30, (await RunRows.FinalAsync(server, runId)).Count);
        var after = (await LimitsAsync(server.Client)).GetProperty("credits_per_day");
        Assert.Equal(30, after.GetProperty("used").GetDouble());
        Assert.Equal(70, after.GetProperty("remaining").GetDouble());
    }

    [Fact]
    public async Task Starts_over_the_quota_of_runs_queued_or_running_or_of_runs_queued_are_a_429_naming_the_quota()
    {
        // Calls that take minutes keep the first run running while the others try to start.
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions { LatencyMin = TimeSpan.FromMinutes(5), LatencyMax = TimeSpan.FromMinutes(5) }, Ct);
        await using var server = await TestServer.StartAsync(fake.ProviderConfiguration("s64", "sixtyfour"));
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookEnrichCompany);
        await SetLimitsAsync(server, new OrgLimits("default", MaxRunningRuns: 1));
        var first = await server.StartRunAsync(workflow, new { webhook_payload = Definitions.Companies(2) });
        await server.WaitForStatusAsync(first, TimeSpan.FromSeconds(60), "running");

        var (status, detail) = await PostAsync(server.Client, $"/workflows/run?workflow_id={workflow}", new { webhook_payload = Definitions.Companies(2) });
        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Contains("has 1 runs queued or running, as many as its quota max_running_runs of 1 allows", detail, StringComparison.Ordinal);
        var (sessionStatus, sessionDetail) = await PostAsync(server.Client, "/workflows/interactive/start", new { block_name = "webhook", specs = new { }, webhook_payload = new[] { new { a = 1 } } });
        Assert.Equal(HttpStatusCode.TooManyRequests, sessionStatus);
        Assert.Contains("max_running_runs", sessionDetail, StringComparison.Ordinal);
        var running = (await LimitsAsync(server.Client)).GetProperty("max_running_runs");
        Assert.Equal(1, running.GetProperty("limit").GetDouble());
        Assert.Equal(1, running.GetProperty("used").GetDouble());
        Assert.Equal(0, running.GetProperty("remaining").GetDouble());

        await SetLimitsAsync(server, new OrgLimits("default", MaxRunningRuns: 5, MaxQueuedRuns: 0));
        var (queuedStatus, queuedDetail) = await PostAsync(server.Client, $"/workflows/run?workflow_id={workflow}", Rows);
        Assert.Equal(HttpStatusCode.TooManyRequests, queuedStatus);
        Assert.Contains("quota max_queued_runs of 0", queuedDetail, StringComparison.Ordinal);

        // Once the run has ended the quota has room again.
        await SetLimitsAsync(server, new OrgLimits("default", MaxRunningRuns: 1));
        Assert.Equal(HttpStatusCode.OK, (await server.Client.PostAsync($"/workflows/cancel?job_id={first}", null, Ct)).StatusCode);
        await server.WaitForRunAsync(first);
        var noEnrichment = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(server.Client, $"/workflows/run?workflow_id={noEnrichment}", Rows)).Status);
    }

    [Fact]
    public async Task Uploads_and_starts_over_the_quota_of_stored_bytes_are_a_413_naming_the_quota_and_a_refused_upload_is_not_kept()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.ReadCsvFilter);
        var small = Encoding.UTF8.GetBytes("name,score\nada,90\n");
        var large = Encoding.UTF8.GetBytes("name,score\n" + string.Concat(Enumerable.Range(0, 50).Select(i => $"row{i},{i}\n")));
        await SetLimitsAsync(server, new OrgLimits("default", MaxStoredBytes: small.Length + 100));

        var handle = await server.UploadAsync("small.csv", small);
        using (var form = new MultipartFormDataContent { { new ByteArrayContent(large), "file", "large.csv" } })
        {
            var response = await server.Client.PostAsync("/storage/csv/upload", form, Ct);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            var detail = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("detail").GetString()!;
            Assert.Contains("'large.csv' is not kept", detail, StringComparison.Ordinal);
            Assert.Contains($"stores {small.Length} bytes of uploads and results; {large.Length} more would pass its quota max_stored_bytes of {small.Length + 100}", detail, StringComparison.Ordinal);
        }

        var stored = (await LimitsAsync(server.Client)).GetProperty("max_stored_bytes");
        Assert.Equal(small.Length, stored.GetProperty("used").GetDouble());
        Assert.Equal(100, stored.GetProperty("remaining").GetDouble());
        Assert.Single(Directory.EnumerateFiles(Path.Combine(server.DataDirectory, "blobs", "uploads"), "*", SearchOption.AllDirectories));

        // A run start with the quota full is refused too (its results would add to it).
        await SetLimitsAsync(server, new OrgLimits("default", MaxStoredBytes: small.Length));
        var (status, startDetail) = await PostAsync(server.Client, $"/workflows/run?workflow_id={workflow}", new { specs_override = new { resource_handle_id = handle } });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains($"as many as its quota max_stored_bytes of {small.Length} allows", startDetail, StringComparison.Ordinal);
        using var again = new MultipartFormDataContent { { new ByteArrayContent(small), "file", "again.csv" } };
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await server.Client.PostAsync("/storage/csv/upload", again, Ct)).StatusCode);

        await SetLimitsAsync(server, new OrgLimits("default"));
        var runId = await server.StartRunAsync(workflow, new { specs_override = new { resource_handle_id = handle } });
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());
        Assert.True((await LimitsAsync(server.Client)).GetProperty("max_stored_bytes").GetProperty("used").GetDouble() > small.Length);
    }

    [Fact]
    public async Task Usage_shows_every_limit_as_unlimited_by_default()
    {
        await using var server = await TestServer.StartAsync();
        var limits = await LimitsAsync(server.Client);
        foreach (var name in new[] { "credits_per_day", "credits_per_month", "max_running_runs", "max_queued_runs", "max_stored_bytes" })
        {
            var limit = limits.GetProperty(name);
            Assert.Equal(JsonValueKind.Null, limit.GetProperty("limit").ValueKind);
            Assert.Equal(0, limit.GetProperty("used").GetDouble());
            Assert.Equal(JsonValueKind.Null, limit.GetProperty("remaining").ValueKind);
        }

        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), limits.GetProperty("credits_per_month").GetProperty("period").GetString());
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Enrichflow.Hosting.Schedules;
using Enrichflow.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Enrichflow.Server.Tests.Schedules;

/// <summary>
/// Schedules start runs on their own clock (docs/api.md §10). The scheduler here runs on a fake clock the test moves
/// by hand (the engine keeps the real one), in a real server restarted on the same data directory.
/// </summary>
public sealed class ScheduleRunTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 10, 0, 30, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DateTimeOffset At(int minute, int second = 0) => new(2026, 1, 5, 10, minute, second, TimeSpan.Zero);

    private static DateTimeOffset Utc(int hour, int minute) => new(2026, 1, 5, hour, minute, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_every_minute_schedule_starts_one_run_per_due_time_across_a_restart_and_one_for_the_times_missed_while_down()
    {
        var clock = new FakeTimeProvider(Start);
        var data = Path.Combine(Path.GetTempPath(), "enrichflow-tests", Guid.NewGuid().ToString("N"));
        try
        {
            string workflow;
            string schedule;
            await using (var server = await StartAsync(data, clock))
            {
                workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
                var created = await CreateAsync(server, workflow, "* * * * *");
                schedule = created.GetProperty("id").GetString()!;
                Assert.Equal(Utc(10, 1), created.GetProperty("next_run").GetDateTimeOffset());
                Assert.Equal(JsonValueKind.Null, created.GetProperty("last_run").ValueKind);

                clock.SetUtcNow(At(1, 5));
                await WaitForLastRunAsync(server, schedule, At(1));
                await AssertRunsAsync(server, workflow, schedule, 1);
            }

            // Restarted before the next due time: the time already taken does not start again.
            clock.SetUtcNow(At(1, 40));
            await using (var server = await StartAsync(data, clock))
            {
                var current = await GetAsync(server, schedule);
                Assert.Equal((At(1), At(2)), (current.GetProperty("last_run").GetDateTimeOffset(), current.GetProperty("next_run").GetDateTimeOffset()));
                await AssertRunsAsync(server, workflow, schedule, 1);

                clock.SetUtcNow(At(2, 5));
                await WaitForLastRunAsync(server, schedule, At(2));
                await AssertRunsAsync(server, workflow, schedule, 2);
            }

            // Down over 10:03, 10:04 and 10:05: one catch-up run at start, then the next time as usual.
            clock.SetUtcNow(At(5, 30));
            await using (var server = await StartAsync(data, clock))
            {
                var caughtUp = await WaitForLastRunAsync(server, schedule, At(3));
                Assert.Equal(Utc(10, 6), caughtUp.GetProperty("next_run").GetDateTimeOffset());
                await AssertRunsAsync(server, workflow, schedule, 3);

                clock.SetUtcNow(At(6, 1));
                await WaitForLastRunAsync(server, schedule, At(6));
                var runs = await AssertRunsAsync(server, workflow, schedule, 4);

                // Every run completed, and the run and live status name the schedule's run.
                foreach (var run in runs)
                {
                    var id = run.GetProperty("job_id").GetString()!;
                    Assert.Equal("completed", (await server.WaitForRunAsync(id)).GetProperty("overall_status").GetString());
                    var one = await server.Client.GetFromJsonAsync<JsonElement>($"/workflows/runs/{id}", Ct);
                    Assert.Equal(schedule, one.GetProperty("schedule_id").GetString());
                }

                Assert.Equal(runs[0].GetProperty("job_id").GetString(), (await GetAsync(server, schedule)).GetProperty("last_job_id").GetString());
            }
        }
        finally
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    [Fact]
    public async Task A_scheduled_run_reads_the_schedules_payload()
    {
        var clock = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(services: s => s.AddSingleton(new SchedulerClock(clock)));
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookValidate);
        var schedule = (await CreateAsync(server, workflow, "*/5 * * * *", payload: new object[] { new { email = "ada@example.com" }, new { email = "nope" } }))
            .GetProperty("id").GetString()!;

        clock.SetUtcNow(At(5, 1));
        var done = await WaitForLastRunAsync(server, schedule, At(5));
        var live = await server.WaitForRunAsync(done.GetProperty("last_job_id").GetString()!);
        Assert.Equal("completed", live.GetProperty("overall_status").GetString());
        Assert.Equal(2, live.GetProperty("blocks")[0].GetProperty("metrics").GetProperty("row_count").GetInt64());
        Assert.Equal(Utc(10, 10), done.GetProperty("next_run").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_schedule_in_a_time_zone_runs_at_that_zones_time()
    {
        // 9:00 in New York on 5 January (EST, UTC-5) is 14:00 UTC.
        var clock = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(services: s => s.AddSingleton(new SchedulerClock(clock)));
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var created = await CreateAsync(server, workflow, "0 9 * * *", timezone: "America/New_York");
        Assert.Equal(Utc(14, 0), created.GetProperty("next_run").GetDateTimeOffset());
    }

    [Fact]
    public async Task An_inactive_schedule_starts_nothing_until_turned_on()
    {
        var clock = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(services: s => s.AddSingleton(new SchedulerClock(clock)));
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var created = await CreateAsync(server, workflow, "* * * * *", active: false);
        var schedule = created.GetProperty("id").GetString()!;
        Assert.Equal(JsonValueKind.Null, created.GetProperty("next_run").ValueKind);

        clock.SetUtcNow(At(3, 10));
        var on = await server.Client.PostAsJsonAsync($"/schedules/{schedule}", new { is_active = true }, Ct);
        Assert.Equal(HttpStatusCode.OK, on.StatusCode);
        Assert.Equal(Utc(10, 4), (await on.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("next_run").GetDateTimeOffset());
        await AssertRunsAsync(server, workflow, schedule, 0);

        clock.SetUtcNow(At(4, 1));
        await WaitForLastRunAsync(server, schedule, At(4));
        await AssertRunsAsync(server, workflow, schedule, 1);
    }

    [Fact]
    public async Task A_schedule_runs_an_upload_named_in_its_specs_override()
    {
        var clock = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(services: s => s.AddSingleton(new SchedulerClock(clock)));
        var workflow = await server.CreateWorkflowAsync(Definitions.ReadCsvFilter);
        var handle = await server.UploadAsync("scores.csv", System.Text.Encoding.UTF8.GetBytes("name,score\nada,90\nbob,10\ncy,75\n"));
        var response = await server.Client.PostAsJsonAsync("/schedules", new
        {
            workflow_id = workflow, name = "nightly", cron_expression = "0 3 * * *", specs_override = new { resource_handle_id = handle },
        }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var schedule = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetString()!;

        clock.SetUtcNow(new DateTimeOffset(2026, 1, 6, 3, 0, 1, TimeSpan.Zero));
        var done = await WaitForLastRunAsync(server, schedule, new DateTimeOffset(2026, 1, 6, 3, 0, 0, TimeSpan.Zero));
        var runId = done.GetProperty("last_job_id").GetString()!;
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());
        var csv = await server.DownloadFinalAsync(runId);
        Assert.Contains("ada", csv, StringComparison.Ordinal);
        Assert.DoesNotContain("bob", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_due_time_whose_workflow_no_longer_takes_the_schedules_input_starts_no_run_and_says_why()
    {
        var clock = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(services: s => s.AddSingleton(new SchedulerClock(clock)));
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var schedule = (await CreateAsync(server, workflow, "* * * * *")).GetProperty("id").GetString()!;

        // The workflow now reads an upload, and the schedule names none.
        var update = await server.Client.PostAsJsonAsync($"/workflows/update_workflow?workflow_id={workflow}",
            new { workflow_definition = JsonDocument.Parse(Definitions.ReadCsvOnly).RootElement }, Ct);
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        clock.SetUtcNow(At(1, 1));

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        JsonElement current;
        while ((current = await GetAsync(server, schedule)).GetProperty("last_error").ValueKind == JsonValueKind.Null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the due time was never taken: {current}");
            await Task.Delay(20, Ct);
        }

        Assert.Contains("does not take a webhook_payload", current.GetProperty("last_error").GetString(), StringComparison.Ordinal);
        Assert.Equal((At(1), At(2)), (current.GetProperty("last_run").GetDateTimeOffset(), current.GetProperty("next_run").GetDateTimeOffset()));
        Assert.Equal(JsonValueKind.Null, current.GetProperty("last_job_id").ValueKind);
        await AssertRunsAsync(server, workflow, schedule, 0);
    }

    internal static async Task<TestServer> StartAsync(string data, FakeTimeProvider clock) =>
        await TestServer.StartAsync(dataDirectory: data, services: s => s.AddSingleton(new SchedulerClock(clock)));

    internal static async Task<JsonElement> CreateAsync(TestServer server, string workflow, string cron, string timezone = "UTC", object? payload = null, bool active = true, HttpClient? client = null)
    {
        var response = await (client ?? server.Client).PostAsJsonAsync("/schedules", new
        {
            workflow_id = workflow,
            name = "every minute",
            description = "a test schedule",
            cron_expression = cron,
            timezone,
            is_active = active,
            webhook_payload = payload ?? new object[] { new { n = 1 } },
        }, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST /schedules answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<JsonElement> GetAsync(TestServer server, string schedule) =>
        await server.Client.GetFromJsonAsync<JsonElement>($"/schedules/{schedule}", Ct);

    /// <summary>Waits (real time, 30 s at most) until the schedule's last run is the one for <paramref name="due"/>.</summary>
    private static async Task<JsonElement> WaitForLastRunAsync(TestServer server, string schedule, DateTimeOffset due)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var current = await GetAsync(server, schedule);
            if (current.GetProperty("last_run").ValueKind == JsonValueKind.String && current.GetProperty("last_run").GetDateTimeOffset() == due)
            {
                Assert.Equal(JsonValueKind.Null, current.GetProperty("last_error").ValueKind);
                return current;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the schedule did not start its run for {due:O}: {current}");
            await Task.Delay(20, Ct);
        }
    }

    /// <summary>The workflow's runs, all started by the schedule: exactly <paramref name="count"/> of them, newest first.</summary>
    private static async Task<List<JsonElement>> AssertRunsAsync(TestServer server, string workflow, string schedule, int count)
    {
        var runs = (await server.Client.GetFromJsonAsync<JsonElement>($"/workflows/runs?workflow_id={workflow}", Ct)).EnumerateArray().ToList();
        Assert.Equal(count, runs.Count);
        Assert.All(runs, r => Assert.Equal(schedule, r.GetProperty("schedule_id").GetString()));
        return runs;
    }
}

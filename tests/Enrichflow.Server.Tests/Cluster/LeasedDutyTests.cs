using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Server.Tests.Infrastructure;
using Enrichflow.Server.Tests.Webhooks;
using Npgsql;

namespace Enrichflow.Server.Tests.Cluster;

/// <summary>
/// Background duties leased through the store (issue 13 item 4, docs/architecture.md §5): two real
/// <c>enrichflow serve</c> processes on one PostgreSQL store and one S3 bucket, units through Hangfire. A schedule due
/// on both starts one run; when the process holding the duties is killed, the other takes them over and their work
/// goes on.
/// </summary>
public sealed class LeasedDutyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_api_processes_with_a_schedule_due_on_both_start_exactly_one_run()
    {
        var database = await TestBackends.NewPostgresDatabaseAsync("duties_", Ct);
        var bucket = await TestBackends.NewBucketAsync("duties-", Ct);
        var data = ServerProcessClient.NewDataDirectory();
        await using var first = await ServerProcess.StartAsync(data, ClusterEnvironment(database, bucket));
        await using var second = await ServerProcess.StartAsync(ServerProcessClient.NewDataDirectory(), ClusterEnvironment(database, bucket));
        using var http = ServerProcessClient.Create(first.BaseUrl, data);
        using var other = ServerProcessClient.Create(second.BaseUrl, data);
        var workflow = await ServerProcessClient.CreateWorkflowAsync(http, "scheduled", Definitions.WebhookOnly);

        // Exactly one of the two holds the scheduler's duty; the other waits for it.
        var holder = await WaitForHolderAsync(database, "scheduler", [first, second]);
        var waiting = holder == first ? second : first;
        await WaitForOutputAsync(waiting, "waits for duty scheduler");

        var due = DateTimeOffset.UtcNow.AddSeconds(5);
        var schedule = await CreateScheduleAsync(other, workflow, due);
        var run = await WaitForLastRunAsync(http, schedule, due);
        // The waiting process never ticks; whatever it would have started would be listed by now.
        await Task.Delay(TimeSpan.FromSeconds(3), Ct);

        var runs = await RunsAsync(other, workflow);
        Assert.Equal(run, Assert.Single(runs).GetProperty("job_id").GetString());
        Assert.Equal(schedule, runs[0].GetProperty("schedule_id").GetString());
        Assert.Equal("completed", (await ServerProcessClient.WaitForEndAsync(http, run)).GetProperty("overall_status").GetString());
        Assert.Contains($"Schedule {schedule} started run {run}", holder.Output, StringComparison.Ordinal);
        Assert.DoesNotContain($"Schedule {schedule} started run", waiting.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_the_process_holding_the_duties_is_killed_the_other_delivers_its_webhook_and_starts_the_schedule()
    {
        var database = await TestBackends.NewPostgresDatabaseAsync("duties_", Ct);
        var bucket = await TestBackends.NewBucketAsync("duties-", Ct);
        // The first attempt hangs (the holder dies in it); any later one is answered at once.
        await using var receiver = await WebhookReceiver.StartAsync(n => n == 1 ? new ReceiverAnswer(200, TimeSpan.FromMinutes(10)) : new ReceiverAnswer(200));
        var environment = ClusterEnvironment(database, bucket);
        environment["ENRICHFLOW_Duties__Lease"] = "00:00:03";
        environment["ENRICHFLOW_Outbound__Allow__0"] = "127.0.0.1/32";
        environment["ENRICHFLOW_Webhooks__PollInterval"] = "00:00:00.200";
        // A delivery lease lasts the attempt's timeout and a minute: without the takeover's release the dead holder's
        // lease would keep the delivery from the survivor far longer than this test waits.
        environment["ENRICHFLOW_Webhooks__Timeout"] = "00:10:00";
        var data = ServerProcessClient.NewDataDirectory();
        await using var first = await ServerProcess.StartAsync(data, environment);
        await using var second = await ServerProcess.StartAsync(ServerProcessClient.NewDataDirectory(), environment);
        var holder = await WaitForHolderAsync(database, "webhook-delivery", [first, second]);
        var survivor = holder == first ? second : first;
        using var http = ServerProcessClient.Create(survivor.BaseUrl, data);

        var workflow = await ServerProcessClient.CreateWorkflowAsync(http, "notify", WebhookFlows.Definition(new { url = receiver.Url }));
        var started = await http.PostAsJsonAsync($"/workflows/run?workflow_id={workflow}", new { webhook_payload = WebhookFlows.Leads(3) }, Ct);
        var runId = (await started.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("job_id").GetString()!;
        Assert.Equal("completed", (await ServerProcessClient.WaitForEndAsync(http, runId)).GetProperty("overall_status").GetString());
        var hung = Assert.Single(await receiver.WaitForAsync(1));

        await holder.KillAsync();

        // The survivor takes the duty over, ends the dead holder's delivery lease and delivers the event again.
        var received = await receiver.WaitForAsync(2, TimeSpan.FromSeconds(90));
        Assert.Equal(hung.EventId, received[1].EventId);
        Assert.Equal(survivor, await WaitForHolderAsync(database, "webhook-delivery", [survivor]));
        Assert.Equal("delivered", await WaitForDeliveryAsync(database, hung.EventId));
        await WaitForOutputAsync(survivor, "delivers webhooks now");

        // The scheduler's duty moved too: a schedule due now starts its run on the survivor.
        var scheduled = await ServerProcessClient.CreateWorkflowAsync(http, "scheduled", Definitions.WebhookOnly);
        var due = DateTimeOffset.UtcNow.AddSeconds(5);
        var schedule = await CreateScheduleAsync(http, scheduled, due);
        var run = await WaitForLastRunAsync(http, schedule, due);
        Assert.Equal(run, Assert.Single(await RunsAsync(http, scheduled)).GetProperty("job_id").GetString());
        Assert.Equal(survivor, await WaitForHolderAsync(database, "scheduler", [survivor]));
        await Task.Delay(TimeSpan.FromSeconds(1), Ct);
        Assert.Equal(2, receiver.Received.Count);
    }

    private static Dictionary<string, string> ClusterEnvironment(string database, string bucket)
    {
        var environment = TestBackends.S3Environment($"s3://{bucket}/enrichflow");
        environment["ENRICHFLOW_Store"] = database;
        environment["ENRICHFLOW_Dispatch__Kind"] = "hangfire";
        environment["ENRICHFLOW_Downloads__Secret"] = "cluster-test-secret-0123456789abcdef";
        return environment;
    }

    /// <summary>
    /// Waits until one of <paramref name="processes"/> holds <paramref name="duty"/> in the store and gives it: a
    /// holder's id starts with <c>Engine:NodeName</c>, by default <c>machine:pid</c>.
    /// </summary>
    private static async Task<ServerProcess> WaitForHolderAsync(string database, string duty, ServerProcess[] processes)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(Ct);
        while (true)
        {
            await using var command = new NpgsqlCommand(
                "SELECT holder FROM duty_leases WHERE duty = @duty AND holder IS NOT NULL AND expires_at > clock_timestamp()", connection);
            command.Parameters.AddWithValue("duty", duty);
            var holder = await command.ExecuteScalarAsync(Ct) as string;
            if (holder is not null && processes.FirstOrDefault(p => holder.StartsWith($"{Environment.MachineName}:{p.Pid}#", StringComparison.Ordinal)) is { } process)
            {
                return process;
            }

            Assert.True(DateTime.UtcNow < deadline, $"none of the processes holds duty {duty} (holder: {holder ?? "none"})");
            await Task.Delay(100, Ct);
        }
    }

    private static async Task WaitForOutputAsync(ServerProcess process, string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!process.Output.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the process did not log '{text}':\n{process.Output}");
            await Task.Delay(100, Ct);
        }
    }

    private static async Task<string> WaitForDeliveryAsync(string database, string eventId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(Ct);
        while (true)
        {
            await using var command = new NpgsqlCommand("SELECT status FROM webhook_deliveries WHERE event_id = @id", connection);
            command.Parameters.AddWithValue("id", eventId);
            var status = (string?)await command.ExecuteScalarAsync(Ct);
            if (status is not null and not "pending")
            {
                return status;
            }

            Assert.True(DateTime.UtcNow < deadline, $"delivery {eventId} is still {status}");
            await Task.Delay(100, Ct);
        }
    }

    /// <summary>A schedule whose next (and only today) due time is <paramref name="due"/>, to the second, UTC.</summary>
    private static async Task<string> CreateScheduleAsync(HttpClient http, string workflow, DateTimeOffset due)
    {
        var cron = string.Create(CultureInfo.InvariantCulture, $"{due.Second} {due.Minute} {due.Hour} * * *");
        var response = await http.PostAsJsonAsync("/schedules", new JsonObject
        {
            ["workflow_id"] = workflow,
            ["name"] = "once",
            ["cron_expression"] = cron,
            ["webhook_payload"] = new JsonArray(new JsonObject { ["name"] = "Lead 1" }),
        }, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>Waits until the schedule started its run for <paramref name="due"/> (to the second); gives the run's id.</summary>
    private static async Task<string> WaitForLastRunAsync(HttpClient http, string schedule, DateTimeOffset due)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            var current = await http.GetFromJsonAsync<JsonElement>($"/schedules/{schedule}", Ct);
            if (current.GetProperty("last_run").ValueKind == JsonValueKind.String)
            {
                var lastRun = current.GetProperty("last_run").GetDateTimeOffset();
                Assert.Equal(due.ToUnixTimeSeconds(), lastRun.ToUnixTimeSeconds());
                return current.GetProperty("last_job_id").GetString()!;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the schedule started no run: {current}");
            await Task.Delay(100, Ct);
        }
    }

    private static async Task<List<JsonElement>> RunsAsync(HttpClient http, string workflow) =>
        (await http.GetFromJsonAsync<JsonElement>($"/workflows/runs?workflow_id={workflow}", Ct)).EnumerateArray().ToList();
}

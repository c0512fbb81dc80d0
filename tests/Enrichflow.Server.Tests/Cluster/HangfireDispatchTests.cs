using Enrichflow.Server.Tests.Infrastructure;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;

namespace Enrichflow.Server.Tests.Cluster;

/// <summary>
/// A server whose work units travel through Hangfire on PostgreSQL (<c>Dispatch:Kind = hangfire</c>, issue 13 item 3),
/// against the throwaway PostgreSQL that ./test.sh starts (ENRICHFLOW_TEST_POSTGRES).
/// </summary>
public sealed class HangfireDispatchTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, string?> Hangfire(string schema) => new()
    {
        ["Dispatch:Kind"] = "hangfire",
        ["Dispatch:Hangfire:ConnectionString"] = TestBackends.PostgresConnectionString(),
        ["Dispatch:Hangfire:Schema"] = schema,
        ["Engine:ChunkSize"] = "100",
    };

    [Fact]
    public async Task A_run_whose_units_travel_through_hangfire_completes_with_every_row_once_in_order()
    {
        await using var server = await TestServer.StartAsync(Hangfire($"hangfire_{Guid.NewGuid():N}"));
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookValidate);
        var rows = Enumerable.Range(0, 1000).Select(i => new { id = i, email = $"person{i}@example.com" }).ToArray();
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = rows }, "&result_formats=ndjson");

        var live = await server.WaitForRunAsync(runId);

        Assert.Equal("completed", live.GetProperty("overall_status").GetString());
        var ids = (await server.DownloadFinalAsync(runId, "ndjson")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("id").GetInt32()).ToList();
        Assert.Equal(Enumerable.Range(0, 1000), ids);
        // Every unit (the source, ten chunks of validate_email, the files) was a Hangfire job that succeeded.
        var monitoring = server.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        Assert.True(monitoring.SucceededListCount() >= 11, $"{monitoring.SucceededListCount()} Hangfire jobs succeeded");
        Assert.Equal(0, monitoring.FailedCount());
    }

    [Fact]
    public async Task An_unknown_dispatcher_or_a_hangfire_dispatcher_without_a_database_stops_the_server_naming_the_key()
    {
        var unknown = await Assert.ThrowsAnyAsync<Exception>(() => TestServer.StartAsync(new Dictionary<string, string?> { ["Dispatch:Kind"] = "rabbit" }));
        Assert.Contains("Dispatch:Kind must be 'embedded' or 'hangfire' (was 'rabbit')", unknown.ToString(), StringComparison.Ordinal);

        var noDatabase = await Assert.ThrowsAnyAsync<Exception>(() => TestServer.StartAsync(new Dictionary<string, string?> { ["Dispatch:Kind"] = "hangfire" }));
        Assert.Contains("Dispatch:Hangfire:ConnectionString", noDatabase.ToString(), StringComparison.Ordinal);
    }
}

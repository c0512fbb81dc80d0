using Enrichflow.Server.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Enrichflow.Server.Tests.Webhooks;

/// <summary>The sweep that records the deliveries of runs whose end no listener heard (the process died in between).</summary>
public sealed class WebhookSweepTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_run_that_ended_without_its_delivery_recorded_gets_it_from_the_sweep_after_a_restart()
    {
        var directory = Path.Combine(Path.GetTempPath(), "enrichflow-tests", Guid.NewGuid().ToString("N"));
        var settings = WebhookFlows.Settings(new Dictionary<string, string?> { ["Webhooks:SweepGrace"] = "00:00:00" });
        try
        {
            await using var receiver = await WebhookReceiver.StartAsync();
            string runId;
            await using (var first = await TestServer.StartAsync(settings, dataDirectory: directory))
            {
                (runId, _) = await WebhookFlows.RunAsync(first, WebhookFlows.Definition(new { url = receiver.Url }));
                await WebhookFlows.WaitForDeliveriesAsync(first, runId);
            }

            // As if the process had died after the run ended and before the listener recorded anything.
            await using (var connection = new SqliteConnection($"Data Source={Path.Combine(directory, "enrichflow.db")};Pooling=False"))
            {
                await connection.OpenAsync(Ct);
                await using var command = connection.CreateCommand();
                command.CommandText = "DELETE FROM webhook_attempts; DELETE FROM webhook_deliveries; DELETE FROM webhook_runs;";
                await command.ExecuteNonQueryAsync(Ct);
            }

            await using var second = await TestServer.StartAsync(settings, dataDirectory: directory);
            var delivery = Assert.Single((await WebhookFlows.WaitForDeliveriesAsync(second, runId)).EnumerateArray());

            Assert.Equal("delivered", delivery.GetProperty("status").GetString());
            var received = await receiver.WaitForAsync(2);
            Assert.Equal(received[0].EventId, received[1].EventId);
            Assert.Equal(delivery.GetProperty("event_id").GetString(), received[1].EventId);
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}

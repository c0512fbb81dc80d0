using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Export;

/// <summary>A server killed with SIGKILL mid-export delivers every row exactly once (by idempotency key) after a restart.</summary>
public sealed class ExportCrashTests(ITestOutputHelper output)
{
    private const int Rows = 20_000;
    private const int BatchSize = 100;
    private const int Workers = 2;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Pipeline(string url) => $$$"""
        {"blocks": [
          {"sequence_number": 1, "block_name": "read_csv", "block_id": "input"},
          {"sequence_number": 2, "block_name": "export", "block_id": "ship",
           "specs": {"destination": {"type": "http", "url": "{{{url}}}", "batch_size": {{{BatchSize}}}, "retry_delay_ms": 50} }}],
         "edges": [{"from_block_id": "input", "to_block_id": "ship"}]}
        """;

    [Fact]
    public async Task An_export_killed_with_sigkill_completes_after_restart_and_the_receiver_has_every_row_exactly_once()
    {
        var data = ServerProcessClient.NewDataDirectory();
        var csv = Path.Combine(data, "leads.csv");
        await ServerProcessClient.WriteCsvAsync(csv, "id,email", Enumerable.Range(0, Rows).Select(i => $"{i},lead{i}@example.com"));

        await using var receiver = await ExportReceiver.StartAsync();
        receiver.Delay = TimeSpan.FromMilliseconds(20); // 200 batches: long enough to be killed in the middle
        var environment = new Dictionary<string, string>
        {
            ["ENRICHFLOW_Outbound__Allow__0"] = "127.0.0.1/32",
            ["ENRICHFLOW_Engine__Workers"] = Workers.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ENRICHFLOW_Engine__Lease"] = "00:00:05",
        };
        var port = ServerProcess.FreePort();
        string runId;
        await using (var first = await ServerProcess.StartAsync(data, environment, port))
        {
            using var http = ServerProcessClient.Create(first.BaseUrl, data);
            var workflow = await ServerProcessClient.CreateWorkflowAsync(http, "export-crash", Pipeline(receiver.Url));
            runId = await ServerProcessClient.StartUploadRunAsync(http, workflow, csv);

            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
            while (receiver.BatchCount < 60)
            {
                Assert.True(DateTime.UtcNow < deadline, "the export did not start in time");
                await Task.Delay(5, Ct);
            }

            await first.KillAsync();
        }

        var deliveredBeforeKill = receiver.BatchCount;
        Assert.True(deliveredBeforeKill < Rows / BatchSize, "the export finished before it could be killed");
        await using (var second = await ServerProcess.StartAsync(data, environment, port))
        {
            using var http = ServerProcessClient.Create(second.BaseUrl, data);
            var live = await ServerProcessClient.WaitForEndAsync(http, runId);

            Assert.Equal("completed", live.GetProperty("overall_status").GetString());
        }

        // Every row exactly once, counted over distinct keys; every key once per batch number.
        var batches = receiver.Batches.Values.ToList();
        Assert.Equal(Rows / BatchSize, batches.Count);
        Assert.All(batches, b => Assert.Equal($"{runId}:ship:{b.Batch}", b.Key));
        var ids = batches.SelectMany(b => b.Rows).Select(r => r.GetProperty("id").ToString()).ToList();
        Assert.Equal(Rows, ids.Count);
        Assert.Equal(Rows, ids.Distinct(StringComparer.Ordinal).Count());

        // Acknowledged batches are not sent again: only those in flight at the kill may be (one per worker, at most).
        var resent = receiver.RepeatedKeys.Count;
        output.WriteLine($"batches delivered before the kill: {deliveredBeforeKill}; requests: {receiver.Requests.Count}; keys sent again after the restart: {resent}");
        Assert.True(resent <= Workers * 2, $"{resent} keys were sent again; at most {Workers * 2} could have been in flight");

        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (IOException)
        {
        }
    }



}

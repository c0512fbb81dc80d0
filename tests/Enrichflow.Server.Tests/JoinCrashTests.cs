using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests;

/// <summary>A server killed with SIGKILL while a <c>merge</c> join works gives, once restarted, exactly the rows of an uninterrupted run.</summary>
public sealed class JoinCrashTests
{
    private const int Rows = 100_000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Even ids joined with the odd id after them (its email as partner_email): Rows/2 × Rows/2, one match each.</summary>
    private const string Pipeline = """
        {"blocks": [
          {"sequence_number": 1, "block_name": "read_csv", "block_id": "input"},
          {"sequence_number": 2, "block_name": "filter", "block_id": "even", "specs": {"expression": "[id] % 2 = 0"}},
          {"sequence_number": 3, "block_name": "filter", "block_id": "odd", "specs": {"expression": "[id] % 2 = 1"}},
          {"sequence_number": 4, "block_name": "transform", "block_id": "left_key", "specs": {"operations": [{"op": "expression", "column": "k", "expression": "[id]"}]}},
          {"sequence_number": 5, "block_name": "transform", "block_id": "right_key", "specs": {"operations": [{"op": "expression", "column": "k", "expression": "[id] - 1"}, {"op": "rename", "column": "email", "to": "partner_email"}]}},
          {"sequence_number": 6, "block_name": "merge", "block_id": "joined", "specs": {"mode": "join", "join_key": {"left": "k", "right": "k"}, "join_type": "inner"}}],
         "edges": [
          {"from_block_id": "input", "to_block_id": "even"},
          {"from_block_id": "input", "to_block_id": "odd"},
          {"from_block_id": "even", "to_block_id": "left_key"},
          {"from_block_id": "odd", "to_block_id": "right_key"},
          {"from_block_id": "left_key", "to_block_id": "joined"},
          {"from_block_id": "right_key", "to_block_id": "joined"}]}
        """;

    [Theory]
    [InlineData("left_key", 10_000)] // while both inputs are still being observed (hash-partitioned into the blob store)
    [InlineData("joined", 2_000)] // once the join has committed some chunks (partitions joined, others not yet)
    public async Task A_join_killed_with_sigkill_mid_way_completes_after_restart_with_every_row_once_in_order(string block, int killAfterRows)
    {
        var data = ServerProcessClient.NewDataDirectory();
        var csv = Path.Combine(data, "rows.csv");
        await ServerProcessClient.WriteCsvAsync(csv, "id,email", Enumerable.Range(0, Rows).Select(i => $"{i},u{i}@example.com"));

        var environment = new Dictionary<string, string> { ["ENRICHFLOW_Engine__ChunkSize"] = "500", ["ENRICHFLOW_Engine__Workers"] = "2" };
        var port = ServerProcess.FreePort();
        string runId;
        await using (var first = await ServerProcess.StartAsync(data, environment, port))
        {
            using var http = ServerProcessClient.Create(first.BaseUrl, data);
            var workflow = await ServerProcessClient.CreateWorkflowAsync(http, "crash", Pipeline);
            runId = await ServerProcessClient.StartUploadRunAsync(http, workflow, csv);
            var live = await ServerProcessClient.WaitWhileRunningAsync(http, runId, live => Processed(live, block) >= killAfterRows);
            Assert.True(Processed(live, "joined") < Rows / 2, "the run finished before it could be killed");
            await first.KillAsync();
        }

        await using (var second = await ServerProcess.StartAsync(data, environment, port))
        {
            using var http = ServerProcessClient.Create(second.BaseUrl, data);
            var live = await ServerProcessClient.WaitForEndAsync(http, runId);

            Assert.Equal("completed", live.GetProperty("overall_status").GetString());
            Assert.Equal(Rows / 2, Processed(live, "joined"));
            var links = await http.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}/results/download-links", Ct);
            var final = links.EnumerateArray().Last();
            Assert.Equal("6_joined.csv", final.GetProperty("filename").GetString());
            Assert.Equal(Rows / 2, final.GetProperty("row_count").GetInt64());
            using var anonymous = new HttpClient();
            var lines = (await anonymous.GetStringAsync(final.GetProperty("download_url").GetString(), Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("id,email,k,partner_email", lines[0]);
            Assert.Equal(Rows / 2 + 1, lines.Length);
            for (var n = 0; n < Rows / 2; n++)
            {
                Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"{2 * n},u{2 * n}@example.com,{2 * n},u{2 * n + 1}@example.com"), lines[n + 1]);
            }
        }

        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static long Processed(JsonElement live, string blockId) =>
        live.GetProperty("blocks").EnumerateArray().Single(b => b.GetProperty("block_id").GetString() == blockId).GetProperty("processed_count").GetInt64();
}

using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.GroupBy;

/// <summary>A server killed with SIGKILL while <c>group_by</c> works gives, once restarted, exactly the groups of an uninterrupted run.</summary>
public sealed class GroupByCrashTests
{
    private const int Rows = 200_000;
    private const int Groups = 1_000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Pipeline = """
        {"blocks": [
          {"sequence_number": 1, "block_name": "read_csv", "block_id": "input"},
          {"sequence_number": 2, "block_name": "group_by", "block_id": "groups", "specs": {"group_by": ["g"], "aggregations": [
            {"op": "count"}, {"column": "id", "op": "sum"}, {"column": "id", "op": "first"}, {"column": "id", "op": "last"}, {"column": "id", "op": "count_distinct"}]}}],
         "edges": [{"from_block_id": "input", "to_block_id": "groups"}]}
        """;

    [Fact]
    public async Task A_group_by_killed_with_sigkill_mid_way_completes_after_restart_with_every_group_once_in_first_seen_order()
    {
        var data = ServerProcessClient.NewDataDirectory();
        var csv = Path.Combine(data, "rows.csv");

        // Groups first seen in the order g = 999, 998, ..., 0, so first-seen order is not the key order.
        await ServerProcessClient.WriteCsvAsync(csv, "id,g", Enumerable.Range(0, Rows).Select(i => $"{i},g{Groups - 1 - i % Groups}"));

        var environment = new Dictionary<string, string> { ["ENRICHFLOW_Engine__ChunkSize"] = "500", ["ENRICHFLOW_Engine__Workers"] = "2" };
        var port = ServerProcess.FreePort();
        string runId;
        await using (var first = await ServerProcess.StartAsync(data, environment, port))
        {
            using var http = ServerProcessClient.Create(first.BaseUrl, data);
            var workflow = await ServerProcessClient.CreateWorkflowAsync(http, "crash", Pipeline);
            runId = await ServerProcessClient.StartUploadRunAsync(http, workflow, csv);
            await ServerProcessClient.WaitWhileRunningAsync(http, runId, live => live.GetProperty("blocks")[0].GetProperty("processed_count").GetInt64() >= Rows / 4);
            await first.KillAsync();
        }

        await using (var second = await ServerProcess.StartAsync(data, environment, port))
        {
            using var http = ServerProcessClient.Create(second.BaseUrl, data);
            var live = await ServerProcessClient.WaitForEndAsync(http, runId);

            Assert.Equal("completed", live.GetProperty("overall_status").GetString());
            var links = await http.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}/results/download-links", Ct);
            var final = links.EnumerateArray().Last();
            Assert.Equal(Groups, final.GetProperty("row_count").GetInt64());
            using var anonymous = new HttpClient();
            var lines = (await anonymous.GetStringAsync(final.GetProperty("download_url").GetString(), Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("g,count,id_sum,id_first,id_last,id_count_distinct", lines[0]);
            const int perGroup = Rows / Groups;
            for (var k = 0; k < Groups; k++)
            {
                // The k-th group seen is g{999 - k}: ids k, k + 1000, ..., k + 199000.
                var sum = (long)perGroup * k + (long)Groups * perGroup * (perGroup - 1) / 2;
                Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"g{Groups - 1 - k},{perGroup},{sum},{k},{k + Groups * (perGroup - 1)},{perGroup}"), lines[k + 1]);
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
}

using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Dedupe;

/// <summary>
/// A server killed with SIGKILL while <c>deduplicate</c> spills or reduces its keys gives, once restarted, exactly the
/// rows and rejects of an uninterrupted run.
/// </summary>
public sealed class DeduplicateCrashTests
{
    private const int Rows = 200_000;
    private const int Distinct = 150_000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Pipeline = """
        {"blocks": [
          {"sequence_number": 1, "block_name": "read_csv", "block_id": "input"},
          {"sequence_number": 2, "block_name": "deduplicate", "block_id": "dedupe", "specs": {"key_fields": ["email"], "keep": "last"}}],
         "edges": [{"from_block_id": "input", "to_block_id": "dedupe"}]}
        """;

    [Theory]
    [InlineData(0, Rows / 2)] // while the first pass spills the chunks' keys
    [InlineData(1, Rows / 4)] // once the second pass has reduced partitions and committed chunks
    public async Task A_deduplicate_killed_with_sigkill_mid_way_keeps_the_same_rows_after_restart(int block, int killAfterRows)
    {
        var data = ServerProcessClient.NewDataDirectory();
        var csv = Path.Combine(data, "rows.csv");

        // Row i has the email of row i + 150000 (when there is one), in another case: keep last keeps rows 50000 onwards.
        await ServerProcessClient.WriteCsvAsync(csv, "id,email", Enumerable.Range(0, Rows).Select(i => i < Rows - Distinct ? $"{i},Lead{i}@Example.com" : $"{i},lead{i % Distinct}@example.com"));

        var environment = new Dictionary<string, string> { ["ENRICHFLOW_Engine__ChunkSize"] = "500", ["ENRICHFLOW_Engine__Workers"] = "2" };
        var port = ServerProcess.FreePort();
        string runId;
        await using (var first = await ServerProcess.StartAsync(data, environment, port))
        {
            using var http = ServerProcessClient.Create(first.BaseUrl, data);
            var workflow = await ServerProcessClient.CreateWorkflowAsync(http, "crash", Pipeline);
            runId = await ServerProcessClient.StartUploadRunAsync(http, workflow, csv);
            var live = await ServerProcessClient.WaitWhileRunningAsync(http, runId,
                live => live.GetProperty("blocks")[block].GetProperty("processed_count").GetInt64() >= killAfterRows);
            Assert.True(live.GetProperty("blocks")[1].GetProperty("processed_count").GetInt64() < Rows, "the run finished before it could be killed");
            await first.KillAsync();
        }

        await using (var second = await ServerProcess.StartAsync(data, environment, port))
        {
            using var http = ServerProcessClient.Create(second.BaseUrl, data);
            var live = await ServerProcessClient.WaitForEndAsync(http, runId);
            Assert.Equal("completed", live.GetProperty("overall_status").GetString());

            var links = await http.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}/results/download-links?include_rejects=true", Ct);
            var final = links.EnumerateArray().Single(l => l.GetProperty("filename").GetString() == "2_dedupe.csv");
            Assert.Equal(Distinct, final.GetProperty("row_count").GetInt64());
            using var anonymous = new HttpClient();
            var expected = new StringBuilder("id,email\n");
            for (var i = Rows - Distinct; i < Rows; i++)
            {
                expected.Append(i).Append(",lead").Append(i % Distinct).Append("@example.com\n");
            }

            Assert.Equal(expected.ToString(), (await anonymous.GetStringAsync(final.GetProperty("download_url").GetString(), Ct)).ReplaceLineEndings("\n"));

            var rejects = links.EnumerateArray().Single(l => l.GetProperty("filename").GetString() == "rejects.ndjson");
            var lines = (await anonymous.GetStringAsync(rejects.GetProperty("download_url").GetString(), Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(Rows - Distinct, lines.Length);
            for (var i = 0; i < lines.Length; i++)
            {
                var reject = JsonDocument.Parse(lines[i]).RootElement;
                Assert.Equal(i, reject.GetProperty("row_index").GetInt64());
                Assert.Equal($"deduplicate: duplicate of row {i + Distinct}", reject.GetProperty("reason").GetString());
                Assert.Equal(i + Distinct, reject.GetProperty("kept_row_index").GetInt64());
                Assert.Equal($"lead{i}@example.com", reject.GetProperty("key").GetString());
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

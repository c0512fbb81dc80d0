using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Interactive;

/// <summary>An interactive session is durable like any run: SIGKILL mid-block loses no row and duplicates none, and the session goes on.</summary>
public sealed class InteractiveCrashTests
{
    private const int Rows = 100_000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_session_killed_with_sigkill_mid_block_finishes_the_block_after_restart_and_takes_more_blocks()
    {
        var data = ServerProcessClient.NewDataDirectory();
        var csv = Path.Combine(data, "leads.csv");
        await ServerProcessClient.WriteCsvAsync(csv, "id,name,email", Enumerable.Range(0, Rows).Select(i => $"{i},lead {i},lead{i}@example.com"));

        var environment = new Dictionary<string, string> { ["ENRICHFLOW_Engine__ChunkSize"] = "500", ["ENRICHFLOW_Engine__Workers"] = "2" };
        var port = ServerProcess.FreePort();
        string jobId;
        await using (var first = await ServerProcess.StartAsync(data, environment, port))
        {
            using var http = ServerProcessClient.Create(first.BaseUrl, data);
            var handle = await ServerProcessClient.UploadAsync(http, csv);
            var started = await http.PostAsJsonAsync("/workflows/interactive/start", new { block_name = "read_csv", specs = new { resource_handle_id = handle } }, Ct);
            jobId = (await started.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("job_id").GetString()!;
            var added = await http.PostAsJsonAsync($"/workflows/interactive/{jobId}/add-block",
                new { block_name = "transform", specs = new { operations = new object[] { new { op = "upper", column = "name" } } }, parent_block_id = "block_1" }, Ct);
            Assert.True((await added.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("accepted").GetBoolean());

            // Kill once the added block has committed some rows, long before the end.
            while (true)
            {
                var state = await http.GetFromJsonAsync<JsonElement>($"/workflows/interactive/{jobId}/state", Ct);
                var processed = state.GetProperty("blocks").EnumerateArray().Single(b => b.GetProperty("block_id").GetString() == "block_2").GetProperty("processed_count").GetInt64();
                if (processed >= 2_000)
                {
                    Assert.True(processed < Rows, "the block finished before it could be killed");
                    break;
                }

                await Task.Delay(25, Ct);
            }

            await first.KillAsync();
        }

        await using (var second = await ServerProcess.StartAsync(data, environment, port))
        {
            using var http = ServerProcessClient.Create(second.BaseUrl, data);
            await WaitForBlockAsync(http, jobId, "block_2");
            var more = await http.PostAsJsonAsync($"/workflows/interactive/{jobId}/add-block",
                new { block_name = "filter", specs = new { filters = new[] { new { column = "name", @operator = "contains", value = "LEAD" } } }, parent_block_id = "block_2" }, Ct);
            Assert.Equal("block_3", (await more.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("block_id").GetString());
            await WaitForBlockAsync(http, jobId, "block_3");
            var output = await http.GetFromJsonAsync<JsonElement>($"/workflows/interactive/{jobId}/output?block_id=block_3", Ct);
            Assert.Equal(Rows, output.GetProperty("row_count").GetInt64());

            await http.PostAsync($"/workflows/interactive/{jobId}/finish", null, Ct);
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
            JsonElement live;
            do
            {
                Assert.True(DateTime.UtcNow < deadline, "the finished session did not complete in time");
                await Task.Delay(100, Ct);
                live = await http.GetFromJsonAsync<JsonElement>($"/workflows/runs/{jobId}/live_status", Ct);
            }
            while (live.GetProperty("overall_status").GetString() is "queued" or "running");

            Assert.Equal("completed", live.GetProperty("overall_status").GetString());
            var links = await http.GetFromJsonAsync<JsonElement>($"/workflows/runs/{jobId}/results/download-links", Ct);
            var final = links.EnumerateArray().Last();
            Assert.Equal("3_block_3.csv", final.GetProperty("filename").GetString());
            using var anonymous = new HttpClient();
            await using var stream = await anonymous.GetStreamAsync(final.GetProperty("download_url").GetString(), Ct);
            using var reader = new StreamReader(stream);
            Assert.Equal("id,name,email", await reader.ReadLineAsync(Ct));
            var expected = 0;
            while (await reader.ReadLineAsync(Ct) is { } line)
            {
                Assert.True(line == $"{expected},LEAD {expected},lead{expected}@example.com", $"row {expected} expected, found '{line}'");
                expected++;
            }

            Assert.Equal(Rows, expected);
        }

        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static async Task WaitForBlockAsync(HttpClient http, string jobId, string blockId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (true)
        {
            var state = await http.GetFromJsonAsync<JsonElement>($"/workflows/interactive/{jobId}/state", Ct);
            var block = state.GetProperty("blocks").EnumerateArray().Single(b => b.GetProperty("block_id").GetString() == blockId);
            if (block.GetProperty("status").GetString() == "completed")
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"block {blockId} did not complete in time; last state {state}");
            await Task.Delay(100, Ct);
        }
    }
}

using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests;

/// <summary>A server killed with SIGKILL mid-run loses no row and duplicates none once restarted.</summary>
public sealed class CrashTests
{
    private const int Rows = 200_000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Pipeline = """
        {"blocks": [
          {"sequence_number": 1, "block_name": "read_csv", "block_id": "input"},
          {"sequence_number": 2, "block_name": "validate_email", "block_id": "check", "specs": {"check_mx": false}},
          {"sequence_number": 3, "block_name": "transform", "block_id": "shape", "specs": {"operations": [{"op": "upper", "column": "name"}, {"op": "concat", "column": "key", "columns": ["id", "name"], "separator": ":"}]}},
          {"sequence_number": 4, "block_name": "filter", "block_id": "all", "specs": {"expression": "len([key]) > 0"}}],
         "edges": [
          {"from_block_id": "input", "to_block_id": "check"},
          {"from_block_id": "check", "to_block_id": "shape"},
          {"from_block_id": "shape", "to_block_id": "all"}]}
        """;

    [Theory]
    [InlineData(0, 20_000)] // while the source is still cutting the upload into chunks
    [InlineData(3, 5_000)] // once the last block has committed some rows
    public async Task A_run_killed_with_sigkill_mid_way_completes_after_restart_with_every_row_once_in_order(int block, int killAfterRows)
    {
        var data = ServerProcessClient.NewDataDirectory();
        var csv = Path.Combine(data, "leads.csv");
        await ServerProcessClient.WriteCsvAsync(csv, "id,name,email", Enumerable.Range(0, Rows).Select(i => $"{i},lead {i},lead{i}@example.com"));

        // Small chunks and one worker make the run long enough to be killed in the middle.
        var environment = new Dictionary<string, string> { ["ENRICHFLOW_Engine__ChunkSize"] = "500", ["ENRICHFLOW_Engine__Workers"] = "2" };
        var port = ServerProcess.FreePort();
        string runId;
        await using (var first = await ServerProcess.StartAsync(data, environment, port))
        {
            using var http = ServerProcessClient.Create(first.BaseUrl, data);
            var workflow = await ServerProcessClient.CreateWorkflowAsync(http, "crash", Pipeline);
            runId = await ServerProcessClient.StartUploadRunAsync(http, workflow, csv);

            // Kill once the chosen block has committed some rows, long before the end.
            var live = await ServerProcessClient.WaitWhileRunningAsync(http, runId,
                live => live.GetProperty("blocks")[block].GetProperty("processed_count").GetInt64() >= killAfterRows);
            Assert.True(live.GetProperty("blocks")[3].GetProperty("processed_count").GetInt64() < Rows, "the run finished before it could be killed");
            await first.KillAsync();
        }

        await using (var second = await ServerProcess.StartAsync(data, environment, port))
        {
            using var http = ServerProcessClient.Create(second.BaseUrl, data);
            var live = await ServerProcessClient.WaitForEndAsync(http, runId);

            Assert.Equal("completed", live.GetProperty("overall_status").GetString());
            var links = await http.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}/results/download-links?include_rejects=true", Ct);
            Assert.DoesNotContain(links.EnumerateArray(), l => l.GetProperty("filename").GetString() == "rejects.ndjson");
            Assert.All(live.GetProperty("blocks").EnumerateArray(), b => Assert.Equal(Rows, b.GetProperty("processed_count").GetInt64()));
            var final = links.EnumerateArray().Last();
            Assert.Equal("4_all.csv", final.GetProperty("filename").GetString());
            Assert.Equal(Rows, final.GetProperty("row_count").GetInt64());

            using var anonymous = new HttpClient();
            await using var stream = await anonymous.GetStreamAsync(final.GetProperty("download_url").GetString(), Ct);
            using var reader = new StreamReader(stream);
            var header = await reader.ReadLineAsync(Ct);
            Assert.StartsWith("id,name,email,", header, StringComparison.Ordinal);
            var expected = 0;
            while (await reader.ReadLineAsync(Ct) is { } line)
            {
                var id = int.Parse(line.AsSpan(0, line.IndexOf(',', StringComparison.Ordinal)), System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(id == expected, $"row {expected} expected, found row {id}");
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

    /// <summary>The pipeline of issue 12's comparison: its filter drops about 40% of the rows into rejects.</summary>
    private const string DeferredPipeline = """
        {"blocks": [
          {"sequence_number": 1, "block_name": "read_csv", "block_id": "input"},
          {"sequence_number": 2, "block_name": "validate_email", "block_id": "check", "specs": {"check_mx": false}},
          {"sequence_number": 3, "block_name": "filter", "block_id": "keep", "specs": {"expression": "[country] = 'US' and [email_status] != 'invalid'"}},
          {"sequence_number": 4, "block_name": "transform", "block_id": "shape", "specs": {"operations": [{"op": "upper", "column": "name"}, {"op": "lower", "column": "email"}]}}],
         "edges": [
          {"from_block_id": "input", "to_block_id": "check"},
          {"from_block_id": "check", "to_block_id": "keep"},
          {"from_block_id": "keep", "to_block_id": "shape"}]}
        """;

    [Fact]
    public async Task A_million_row_run_killed_with_sigkill_renders_every_deferred_file_byte_identical_to_an_uninterrupted_run()
    {
        const int rows = 1_000_000;
        var data = ServerProcessClient.NewDataDirectory();
        var csv = Path.Combine(data, "leads.csv");
        await ServerProcessClient.WriteCsvAsync(csv, "id,name,email,country", Enumerable.Range(0, rows).Select(i =>
            $"{i},lead {i},{(i % 10 == 1 ? $"Lead{i}@@example.com" : $"Lead{i}@Example.com")},{(i % 5 < 3 ? "US" : "DE")}"));

        var port = ServerProcess.FreePort();
        string killed, workflow;
        await using (var first = await ServerProcess.StartAsync(data, port: port))
        {
            using var http = ServerProcessClient.Create(first.BaseUrl, data);
            workflow = await ServerProcessClient.CreateWorkflowAsync(http, "deferred", DeferredPipeline);
            killed = await ServerProcessClient.StartUploadRunAsync(http, workflow, csv);
            await ServerProcessClient.WaitWhileRunningAsync(http, killed,
                live => live.GetProperty("blocks")[3].GetProperty("processed_count").GetInt64() >= 150_000);
            await first.KillAsync();
        }

        await using (var second = await ServerProcess.StartAsync(data, port: port))
        {
            using var http = ServerProcessClient.Create(second.BaseUrl, data);
            Assert.Equal("completed", (await ServerProcessClient.WaitForEndAsync(http, killed)).GetProperty("overall_status").GetString());
            var whole = await ServerProcessClient.StartUploadRunAsync(http, workflow, csv);
            Assert.Equal("completed", (await ServerProcessClient.WaitForEndAsync(http, whole)).GetProperty("overall_status").GetString());

            var afterKill = await FilesAsync(http, killed);
            var uninterrupted = await FilesAsync(http, whole);
            Assert.Equal(["rejects.ndjson", "1_input.csv", "2_check.csv", "3_keep.csv", "4_shape.csv"], afterKill.Select(f => f.Name));
            Assert.Equal(uninterrupted, afterKill);
            Assert.Equal((long)rows, afterKill[1].Lines - 1);
            Assert.Equal(500_000L, afterKill[4].Lines - 1);
            Assert.Equal(500_000L, afterKill[0].Lines);
        }

        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A downloaded result file: its name, size, line count and SHA-256.</summary>
    private sealed record Downloaded(string Name, long Bytes, long Lines, string Sha256);

    /// <summary>
    /// Every CSV file and the rejects of a run, downloaded through their links; the intermediate blocks' files must be
    /// pending (no size) until then, as they are rendered on their first download.
    /// </summary>
    private static async Task<List<Downloaded>> FilesAsync(HttpClient http, string runId)
    {
        var links = await http.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}/results/download-links?include_rejects=true", Ct);
        var files = new List<Downloaded>();
        using var anonymous = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        foreach (var link in links.EnumerateArray())
        {
            var name = link.GetProperty("filename").GetString()!;
            Assert.True(name == "4_shape.csv" ? link.GetProperty("file_size").ValueKind == JsonValueKind.Number : link.GetProperty("file_size").ValueKind == JsonValueKind.Null,
                $"{name}: file_size {link.GetProperty("file_size")} (only the final file is written during the run)");
            await using var body = await anonymous.GetStreamAsync(link.GetProperty("download_url").GetString(), Ct);
            using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 16];
            long bytes = 0, lines = 0;
            int read;
            while ((read = await body.ReadAsync(buffer, Ct)) > 0)
            {
                sha.AppendData(buffer, 0, read);
                lines += buffer.AsSpan(0, read).Count((byte)'\n');
                bytes += read;
            }

            files.Add(new Downloaded(name, bytes, lines, Convert.ToHexString(sha.GetHashAndReset())));
        }

        return files;
    }
}

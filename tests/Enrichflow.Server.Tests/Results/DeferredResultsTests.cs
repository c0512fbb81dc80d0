using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Results;

/// <summary>
/// Result files rendered on first download (docs/api.md §3.1, <c>Results:Materialize</c>): by default only final
/// blocks' files are written during the run; the others and <c>rejects.ndjson</c> are rendered from the stored
/// chunks when asked for, and are byte for byte what a run that wrote everything (<c>all</c>) gives.
/// </summary>
public sealed class DeferredResultsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Every way a block's files can be made later: the source's and a fan-out's stored chunks, a filter and a transform
    /// run again over them (a whole chunk filtered away), a deduplicate head's stored chunks, final blocks behind it and
    /// behind an edge condition.
    /// </summary>
    private const string Pipeline = """
        {"blocks": [
          {"sequence_number": 1, "block_name": "read_csv", "block_id": "input"},
          {"sequence_number": 2, "block_name": "validate_email", "block_id": "check", "specs": {"check_mx": false}},
          {"sequence_number": 3, "block_name": "filter", "block_id": "valid", "specs": {"expression": "[email_status] != 'invalid'"}},
          {"sequence_number": 4, "block_name": "transform", "block_id": "shape", "specs": {"operations": [{"op": "upper", "column": "name"}, {"op": "concat", "column": "key", "columns": ["id", "name"], "separator": ":"}]}},
          {"sequence_number": 5, "block_name": "deduplicate", "block_id": "dedupe", "specs": {"key_fields": ["email"]}},
          {"sequence_number": 6, "block_name": "filter", "block_id": "tail", "specs": {"expression": "[score] > 10"}},
          {"sequence_number": 7, "block_name": "validate_phone", "block_id": "phones", "specs": {"phone_field": "phone", "default_region": "US"}}],
         "edges": [
          {"from_block_id": "input", "to_block_id": "check"},
          {"from_block_id": "check", "to_block_id": "valid"},
          {"from_block_id": "valid", "to_block_id": "shape"},
          {"from_block_id": "shape", "to_block_id": "dedupe"},
          {"from_block_id": "dedupe", "to_block_id": "tail"},
          {"from_block_id": "check", "to_block_id": "phones", "condition": "[score] > 50"}]}
        """;

    /// <summary>Rows whose columns change between chunks: a deferred filter's CSV is written under the union of the columns.</summary>
    private const string Heterogeneous = """
        {"blocks": [
          {"sequence_number": 1, "block_name": "webhook", "block_id": "hook"},
          {"sequence_number": 2, "block_name": "filter", "block_id": "positive", "specs": {"expression": "[a] > 0"}},
          {"sequence_number": 3, "block_name": "transform", "block_id": "done", "specs": {"operations": [{"op": "lower", "column": "name"}]}}],
         "edges": [
          {"from_block_id": "hook", "to_block_id": "positive"},
          {"from_block_id": "positive", "to_block_id": "done"}]}
        """;

    private static readonly string[] Formats = ["csv", "ndjson", "json", "rejects"];

    [Fact]
    public async Task Files_rendered_on_first_download_are_byte_identical_to_files_written_during_the_run()
    {
        var upload = Leads(600);
        object payload = Enumerable.Range(0, 120)
            .Select(i => i < 60 ? (object)new { name = $"Row {i}", a = i % 3 } : new { name = $"Row {i}", a = i % 3, b = $"x{i}" }).ToList();

        var deferred = await RunBothAsync(null, upload, payload);
        var written = await RunBothAsync("all", upload, payload);

        Assert.Equal(written.Keys.Order(StringComparer.Ordinal), deferred.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, bytes) in written)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(deferred[name]), $"{name} differs: {bytes.Length} bytes written during the run, {deferred[name].Length} rendered later");
        }

        // The files cover every block and kind, and the union of columns really happened.
        Assert.Contains("csv/1_input.csv", written.Keys);
        Assert.Contains("json/4_shape.json", written.Keys);
        Assert.Contains("rejects/rejects.ndjson", written.Keys);
        Assert.StartsWith("name,a,b\n", Encoding.UTF8.GetString(written["hook-csv/2_positive.csv"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deferred_file_is_listed_with_its_rows_and_no_size_until_its_first_download_and_is_kept_afterwards()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Engine:ChunkSize"] = "50" });
        var workflow = await server.CreateWorkflowAsync(Pipeline);
        var handle = await server.UploadAsync("leads.csv", Leads(600));
        var runId = await server.StartRunAsync(workflow, new { specs_override = new { resource_handle_id = handle } });
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());

        var links = await server.DownloadLinksAsync(runId);
        var input = links.EnumerateArray().First(l => l.GetProperty("filename").GetString() == "1_input.csv");
        Assert.Equal(596, input.GetProperty("row_count").GetInt64());
        Assert.Equal(JsonValueKind.Null, input.GetProperty("file_size").ValueKind);
        var results = Path.Combine(server.DataDirectory, "blobs", "runs", Guid.Parse(runId).ToString("N"), "results");
        Assert.False(File.Exists(Path.Combine(results, "1_input.csv")), "the source's file was written during the run");
        Assert.True(File.Exists(Path.Combine(results, "6_tail.csv")), "a final block's file was not written during the run");

        using var anonymous = new HttpClient();
        var body = await anonymous.GetByteArrayAsync(input.GetProperty("download_url").GetString(), Ct);
        Assert.Equal(597, Encoding.UTF8.GetString(body).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.True(File.Exists(Path.Combine(results, "1_input.csv")));

        var again = (await server.DownloadLinksAsync(runId)).EnumerateArray().First(l => l.GetProperty("filename").GetString() == "1_input.csv");
        Assert.Equal(body.Length, again.GetProperty("file_size").GetInt64());
        Assert.Equal(body, await anonymous.GetByteArrayAsync(again.GetProperty("download_url").GetString(), Ct));
    }

    [Fact]
    public async Task Results_Materialize_must_be_final_or_all()
    {
        var directory = Path.Combine(Path.GetTempPath(), "enrichflow-tests", Guid.NewGuid().ToString("N"));
        try
        {
            await using var app = Enrichflow.Server.Hosting.EnrichflowApp.Build(new Enrichflow.Server.Hosting.ServeSettings("http://127.0.0.1:0", directory), overrides:
                [new("Results:Materialize", "sometimes")]);

            Assert.Contains("Results:Materialize must be 'final' or 'all' (was 'sometimes').", Enrichflow.Server.Hosting.EnrichflowApp.ConfigurationProblems(app));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Runs both workflows on a fresh server with the given policy; every file of every format, keyed "format/name" ("hook-format/name" for the webhook run).</summary>
    private static async Task<Dictionary<string, byte[]>> RunBothAsync(string? materialize, byte[] upload, object payload)
    {
        var settings = new Dictionary<string, string?> { ["Engine:ChunkSize"] = "50" };
        if (materialize is not null)
        {
            settings["Results:Materialize"] = materialize;
        }

        await using var server = await TestServer.StartAsync(settings);
        var csvWorkflow = await server.CreateWorkflowAsync(Pipeline);
        var hookWorkflow = await server.CreateWorkflowAsync(Heterogeneous);
        var handle = await server.UploadAsync("leads.csv", upload);
        var csvRun = await server.StartRunAsync(csvWorkflow, new { specs_override = new { resource_handle_id = handle } }, "&result_formats=ndjson,json");
        var hookRun = await server.StartRunAsync(hookWorkflow, new { webhook_payload = payload });
        Assert.Equal("completed", (await server.WaitForRunAsync(csvRun)).GetProperty("overall_status").GetString());
        Assert.Equal("completed", (await server.WaitForRunAsync(hookRun)).GetProperty("overall_status").GetString());

        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var anonymous = new HttpClient();
        foreach (var (runId, prefix, formats) in new[] { (csvRun, "", Formats), (hookRun, "hook-", new[] { "csv", "rejects" }) })
        {
            foreach (var format in formats)
            {
                foreach (var link in (await server.DownloadLinksAsync(runId, format)).EnumerateArray())
                {
                    var bytes = await anonymous.GetByteArrayAsync(link.GetProperty("download_url").GetString(), Ct);
                    Assert.Equal(link.GetProperty("row_count").GetInt64(), format == "json" ? JsonDocument.Parse(bytes).RootElement.GetArrayLength() : Lines(bytes, format));
                    files[$"{prefix}{format}/{link.GetProperty("filename").GetString()}"] = bytes;
                }
            }
        }

        return files;
    }

    private static long Lines(byte[] bytes, string format) =>
        bytes.Count(b => b == (byte)'\n') - (format == "csv" && bytes.Length > 0 ? 1 : 0);

    /// <summary>
    /// Leads with repeated emails (every seventh is a copy), invalid ones (rows 100 to 149 all, so one chunk filters to
    /// nothing), and four ragged lines the source rejects.
    /// </summary>
    private static byte[] Leads(int rows)
    {
        var text = new StringBuilder("id,name,email,phone,score\n");
        for (var i = 0; i < rows; i++)
        {
            if (i % 150 == 7)
            {
                text.Append(CultureInfo.InvariantCulture, $"{i},ragged\n");
                continue;
            }

            var email = i is >= 100 and < 150 || i % 11 == 0 ? $"bad{i}@@example" : $"lead{(i % 7 == 0 ? i - 7 : i)}@example.com";
            text.Append(CultureInfo.InvariantCulture, $"{i},Lead {i},{email},+1 415 555 {i % 10000:D4},{i * 37 % 100}\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }
}

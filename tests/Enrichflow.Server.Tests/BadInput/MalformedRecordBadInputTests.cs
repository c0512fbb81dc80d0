using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;
using static Enrichflow.Server.Tests.BadInput.BadInputKit;

namespace Enrichflow.Server.Tests.BadInput;

/// <summary>
/// Malformed records inside an accepted file: a lenient read rejects each with its line and keeps every good row,
/// a strict read fails the run naming the line, and other runs are unaffected.
/// </summary>
public sealed class MalformedRecordBadInputTests
{
    private static async Task<List<JsonElement>> RejectsAsync(TestServer server, string runId)
    {
        var links = await server.DownloadLinksAsync(runId, includeRejects: true);
        Assert.Equal("rejects.ndjson", links[0].GetProperty("filename").GetString());
        using var anonymous = new HttpClient();
        var text = await anonymous.GetStringAsync(links[0].GetProperty("download_url").GetString(), Ct);
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    private static async Task<List<string>> FinalNamesAsync(TestServer server, string runId)
    {
        var ndjson = await server.DownloadFinalAsync(runId, "ndjson");
        return [.. ndjson.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("name").GetString()!)];
    }

    /// <summary>A malformed CSV record of each kind, as line 3 of a file (the last line for the unterminated quote).</summary>
    public static TheoryData<string> BadRecordKinds => ["ragged", "invalid-utf8", "nul", "huge-field", "unterminated-quote"];

    private static byte[] BadRecord(string kind, string name) => kind switch
    {
        "ragged" => Bytes($"{name},3,extra\n"),
        "invalid-utf8" => Bytes(name, new byte[] { 0xC3, 0x28, 0xFF }, ",3\n"),
        "nul" => Bytes(name, new byte[] { 0 }, ",3\n"),
        "huge-field" => Bytes($"{name},", new string('x', 5 * 1024 * 1024), "\n"),
        "unterminated-quote" => Bytes($"\"{name},3\n"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static string ReasonFragment(string kind) => kind switch
    {
        "ragged" => "expected 2 fields, found 3",
        "invalid-utf8" => "invalid UTF-8",
        "nul" => "NUL",
        "huge-field" => "exceeds",
        _ => "unterminated",
    };

    [Fact]
    public async Task A_lenient_read_rejects_each_malformed_line_with_its_number_and_keeps_every_good_row_in_order()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.ReadCsvOnly);
        var content = Bytes(
            GoodCsvHeader,                               // line 1
            "ann,1\n",                                   // line 2
            BadRecord("ragged", "bob"),                  // line 3
            "cid,3\n",                                   // line 4
            BadRecord("invalid-utf8", "dee"),            // line 5
            "eve,5\n",                                   // line 6
            BadRecord("nul", "fay"),                     // line 7
            "gus,7\n",                                   // line 8
            BadRecord("huge-field", "hal"),              // line 9
            "\"ida\",\"8\"\n",                           // line 10
            BadRecord("unterminated-quote", "jo"));      // line 11 (to the end of the file)
        var handle = await server.UploadAsync("messy.csv", content);
        var runId = await server.StartRunAsync(workflow, new { specs_override = new { resource_handle_id = handle } }, "&result_formats=ndjson");
        var live = await server.WaitForRunAsync(runId, TimeSpan.FromSeconds(120));
        Assert.Equal("completed", live.GetProperty("overall_status").GetString());

        Assert.Equal(["ann", "cid", "eve", "gus", "ida"], await FinalNamesAsync(server, runId));
        var rejects = await RejectsAsync(server, runId);
        Assert.Equal([3L, 5L, 7L, 9L, 11L], rejects.Select(r => r.GetProperty("line").GetInt64()));
        Assert.Equal([1L, 3L, 5L, 7L, 9L], rejects.Select(r => r.GetProperty("row_index").GetInt64()));
        var kinds = new[] { "ragged", "invalid-utf8", "nul", "huge-field", "unterminated-quote" };
        for (var i = 0; i < kinds.Length; i++)
        {
            var reason = rejects[i].GetProperty("reason").GetString()!;
            Assert.True(reason.Contains(ReasonFragment(kinds[i]), StringComparison.OrdinalIgnoreCase), $"reason for {kinds[i]} on line {rejects[i].GetProperty("line")}: {reason}");
            Assert.Equal("input", rejects[i].GetProperty("block_id").GetString());
            Assert.True(rejects[i].GetProperty("row").GetProperty("raw").GetString()!.Length <= 1024);
        }

        var run = (await server.Client.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}", Ct)).GetProperty("metrics");
        Assert.Equal(5, run.GetProperty("rows_out").GetInt64());
        Assert.Equal(5, run.GetProperty("rows_rejected").GetInt64());
    }

    [Theory]
    [MemberData(nameof(BadRecordKinds))]
    public async Task A_strict_read_fails_the_run_naming_the_bad_line(string kind)
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.ReadCsvStrict);
        var content = Bytes(GoodCsvHeader, "ann,1\n", BadRecord(kind, "bob"), kind == "unterminated-quote" ? "" : "cid,3\n");
        var handle = await server.UploadAsync("messy.csv", content);
        var runId = await server.StartRunAsync(workflow, new { specs_override = new { resource_handle_id = handle } });
        var live = await server.WaitForRunAsync(runId, TimeSpan.FromSeconds(120));
        Assert.Equal("failed", live.GetProperty("overall_status").GetString());
        var message = live.GetProperty("error_message").GetString() ?? "";
        Assert.True(message.Contains("line 3", StringComparison.Ordinal), $"error_message should name line 3: {message}");
        Assert.True(message.Contains(ReasonFragment(kind), StringComparison.OrdinalIgnoreCase), $"error_message should say what is wrong: {message}");
        Assert.Contains("'input'", message, StringComparison.Ordinal);

        var listed = Assert.Single((await server.Client.GetFromJsonAsync<JsonElement>("/workflows/runs?status=failed", Ct)).EnumerateArray());
        Assert.Equal(message, listed.GetProperty("error_message").GetString());

        // The failed run's links still answer, and whatever it kept is marked partial.
        var links = await server.DownloadLinksAsync(runId, includeRejects: true);
        Assert.All(links.EnumerateArray(), l => Assert.StartsWith("Partial results", l.GetProperty("message").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_lenient_jsonl_read_rejects_bad_lines_with_their_numbers()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.ReadCsvOnly);
        var handle = await server.UploadAsync("rows.jsonl", Encoding.UTF8.GetBytes("{\"name\": \"ann\"}\n{\"name\": \n[1]\n\n{\"name\": \"cid\"}\n"));
        var runId = await server.StartRunAsync(workflow, new { specs_override = new { resource_handle_id = handle } }, "&result_formats=ndjson");
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());
        Assert.Equal(["ann", "cid"], await FinalNamesAsync(server, runId));
        var rejects = await RejectsAsync(server, runId);
        Assert.Equal([2L, 3L], rejects.Select(r => r.GetProperty("line").GetInt64()));
        Assert.All(rejects, r => Assert.False(string.IsNullOrWhiteSpace(r.GetProperty("reason").GetString())));
    }

    [Fact]
    public async Task A_json_array_cut_off_mid_file_fails_the_run_naming_where_it_ends()
    {
        // The upload check reads only the start of a file, so a .json array cut off later is accepted; the run
        // keeps the rows before the cut and fails naming the byte where the input ends (a source failure fails the run).
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.ReadCsvOnly);
        var handle = await server.UploadAsync("cut.json", Encoding.UTF8.GetBytes("[{\"name\": \"ann\"}, {\"name\": \"bob\"}, {\"name\": "));
        var runId = await server.StartRunAsync(workflow, new { specs_override = new { resource_handle_id = handle } });
        var live = await server.WaitForRunAsync(runId);
        Assert.Equal("failed", live.GetProperty("overall_status").GetString());
        var message = live.GetProperty("error_message").GetString()!;
        Assert.Contains("'input'", message, StringComparison.Ordinal);
        Assert.Contains("byte", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_strict_run_leaves_a_good_run_started_at_the_same_time_complete()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Engine:ChunkSize"] = "500" });
        var goodWorkflow = await server.CreateWorkflowAsync(Definitions.ReadCsvTransform);
        var badWorkflow = await server.CreateWorkflowAsync(Definitions.ReadCsvStrict);
        const int rows = 20_000;
        var good = new StringBuilder(GoodCsvHeader);
        var bad = new StringBuilder(GoodCsvHeader);
        for (var i = 0; i < rows; i++)
        {
            good.Append(CultureInfo.InvariantCulture, $"lead {i:D5},{i}\n");
            bad.Append(CultureInfo.InvariantCulture, $"lead {i:D5},{i}{(i == 3000 ? ",extra" : "")}\n");
        }

        var goodHandle = await server.UploadAsync("good.csv", Encoding.UTF8.GetBytes(good.ToString()));
        var badHandle = await server.UploadAsync("bad.csv", Encoding.UTF8.GetBytes(bad.ToString()));
        var started = await Task.WhenAll(
            server.StartRunAsync(badWorkflow, new { specs_override = new { resource_handle_id = badHandle } }),
            server.StartRunAsync(goodWorkflow, new { specs_override = new { resource_handle_id = goodHandle } }, "&result_formats=ndjson"),
            server.StartRunAsync(badWorkflow, new { specs_override = new { resource_handle_id = badHandle } }));
        var ended = await Task.WhenAll(started.Select(id => server.WaitForRunAsync(id, TimeSpan.FromSeconds(120))));

        Assert.Equal("failed", ended[0].GetProperty("overall_status").GetString());
        Assert.Equal("failed", ended[2].GetProperty("overall_status").GetString());
        Assert.All(new[] { ended[0], ended[2] }, e => Assert.Contains("line 3002", e.GetProperty("error_message").GetString(), StringComparison.Ordinal));

        Assert.Equal("completed", ended[1].GetProperty("overall_status").GetString());
        Assert.Equal(JsonValueKind.Null, ended[1].GetProperty("error_message").ValueKind);
        var names = await FinalNamesAsync(server, started[1]);
        Assert.Equal(Enumerable.Range(0, rows).Select(i => $"LEAD {i:D5}"), names);
        var links = await server.DownloadLinksAsync(started[1], includeRejects: true);
        Assert.DoesNotContain(links.EnumerateArray(), l => l.GetProperty("filename").GetString() == "rejects.ndjson");
    }
}

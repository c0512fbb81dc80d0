using System.Net;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests;

/// <summary>Inline results bounded by bytes, CSV headers formula-guarded, the rate limit keyed on the authenticated key (docs/api.md §1, §3.1).</summary>
public sealed class HardeningTests
{
    [Fact]
    public async Task A_file_of_few_rows_over_the_inline_byte_limit_has_null_results()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Limits:MaxInlineResultBytes"] = "1000" });
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var big = new string('x', 600);
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = new object[] { new { v = big }, new { v = big }, new { v = big } } });
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());
        var link = (await server.DownloadLinksAsync(runId))[0];
        Assert.Equal(3, link.GetProperty("row_count").GetInt64());
        Assert.Equal(JsonValueKind.Null, link.GetProperty("results").ValueKind);

        var small = await server.StartRunAsync(workflow, new { webhook_payload = new object[] { new { v = "a" } } });
        await server.WaitForRunAsync(small);
        Assert.Equal("a", (await server.DownloadLinksAsync(small))[0].GetProperty("results")[0].GetProperty("v").GetString());
    }

    [Fact]
    public async Task A_csv_column_named_like_a_formula_gets_the_guard_in_the_header()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var row = new Dictionary<string, string> { ["name"] = "Ada", ["=HYPERLINK(\"http://x\")"] = "y" };
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = new object[] { row } });
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());
        var header = (await server.DownloadFinalAsync(runId)).Split('\n')[0];
        Assert.Contains("\"'=HYPERLINK(\"\"http://x\"\")\"", header, StringComparison.Ordinal);
        Assert.DoesNotContain(",=", header, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_with_invalid_keys_do_not_spend_a_real_keys_rate_limit()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Limits:RequestsPerSecondPerKey"] = "1",
            ["Limits:BurstPerKey"] = "3",
        });
        using var garbage = server.NewClient("ef_not-a-real-key");
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await garbage.GetAsync("/workflows", TestContext.Current.CancellationToken)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/workflows", TestContext.Current.CancellationToken)).StatusCode);
    }
}

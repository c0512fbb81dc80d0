using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Enrichflow.Fakes;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Slack;

/// <summary><c>send_slack_message</c> against a fake Slack incoming webhook on 127.0.0.1 (allow-listed).</summary>
public sealed class SendSlackMessageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Definition(string specs) => $$"""
        {"blocks": [
          {"sequence_number": 1, "block_name": "webhook", "block_id": "input"},
          {"sequence_number": 2, "block_name": "send_slack_message", "block_id": "notify", "specs": {{specs}}}],
         "edges": [{"from_block_id": "input", "to_block_id": "notify"}]}
        """;

    private static Task<TestServer> StartAsync(FakeSlackServer slack, string chunkSize = "2") => TestServer.StartAsync(new Dictionary<string, string?>
    {
        ["Slack:Webhooks:sales"] = slack.WebhookUrl("T000/B000/sales").AbsoluteUri,
        ["Slack:Webhooks:ops"] = slack.WebhookUrl("T000/B000/ops").AbsoluteUri,
        ["Slack:RetryDelayMs"] = "10",
        ["Outbound:Allow:0"] = "127.0.0.1/32",
        ["Engine:ChunkSize"] = chunkSize,
    });

    private static readonly object[] Leads =
    [
        new { name = "Ada", company = "Globex" },
        new { name = "Grace <admin>", company = "Acme & Co" },
        new { name = "Alan", company = "Initech" },
    ];

    private static async Task<List<SlackMessage>> WaitForAsync(FakeSlackServer slack, int delivered)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (slack.Delivered.Count < delivered && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, Ct);
        }

        return [.. slack.Delivered];
    }

    [Fact]
    public async Task Per_row_messages_go_in_row_order_at_most_one_a_second_and_a_429_is_retried_after_its_retry_after()
    {
        await using var slack = await FakeSlackServer.StartAsync(Ct);
        slack.Script((429, 2));
        await using var server = await StartAsync(slack, chunkSize: "10");
        var workflow = await server.CreateWorkflowAsync(Definition("""{"webhook": "sales", "mode": "per_row", "message": "New lead *{name}* at {company} ({{run {run.id}}})"}"""));
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = Leads });
        Assert.Equal("completed", (await server.WaitForRunAsync(runId, TimeSpan.FromSeconds(90))).GetProperty("overall_status").GetString());

        var posts = slack.Messages;
        Assert.Equal([429, 200, 200, 200], posts.Select(p => p.Status));
        Assert.All(posts, p => Assert.Equal("T000/B000/sales", p.Hook));
        // One chunk: its rows go in row order (chunks run in parallel, sharing the webhook's pace).
        Assert.Equal(
            [$"New lead *Ada* at Globex ({{run {runId}}})", $"New lead *Ada* at Globex ({{run {runId}}})",
             $"New lead *Grace &lt;admin&gt;* at Acme &amp; Co ({{run {runId}}})", $"New lead *Alan* at Initech ({{run {runId}}})"],
            posts.Select(p => p.Text));
        Assert.Equal("section", posts[1].Body["blocks"]![0]!["type"]!.GetValue<string>());
        // Paced as the fake saw it: the retry waited for Retry-After (2 s), every other post at least 1 s after the one before.
        Assert.True(posts[1].ArrivedAt - posts[0].ArrivedAt >= TimeSpan.FromSeconds(1.9), $"the retry came {posts[1].ArrivedAt - posts[0].ArrivedAt} after the 429");
        for (var i = 2; i < posts.Count; i++)
        {
            Assert.True(posts[i].ArrivedAt - posts[i - 1].ArrivedAt >= TimeSpan.FromSeconds(0.95), $"post {i} came {posts[i].ArrivedAt - posts[i - 1].ArrivedAt} after the one before");
        }

        Assert.Equal(3, (await server.DownloadFinalAsync(runId)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1);
    }

    [Fact]
    public async Task Two_runs_posting_to_one_webhook_share_its_pace()
    {
        await using var slack = await FakeSlackServer.StartAsync(Ct);
        await using var server = await StartAsync(slack);
        var workflow = await server.CreateWorkflowAsync(Definition("""{"webhook": "sales", "mode": "per_row", "message": "{name}"}"""));
        var runs = await Task.WhenAll(
            server.StartRunAsync(workflow, new { webhook_payload = Leads }),
            server.StartRunAsync(workflow, new { webhook_payload = Leads }));
        foreach (var run in runs)
        {
            Assert.Equal("completed", (await server.WaitForRunAsync(run, TimeSpan.FromSeconds(90))).GetProperty("overall_status").GetString());
        }

        var posts = slack.Messages;
        Assert.Equal(6, posts.Count);
        for (var i = 1; i < posts.Count; i++)
        {
            Assert.True(posts[i].ArrivedAt - posts[i - 1].ArrivedAt >= TimeSpan.FromSeconds(0.95), $"post {i} came {posts[i].ArrivedAt - posts[i - 1].ArrivedAt} after the one before");
        }
    }

    [Fact]
    public async Task A_summary_is_sent_once_when_the_run_ends_with_run_fields_and_the_first_rows()
    {
        await using var slack = await FakeSlackServer.StartAsync(Ct);
        slack.Script((503, null));
        await using var server = await StartAsync(slack);
        var workflow = await server.CreateWorkflowAsync(Definition("""{"webhook": "ops", "message": "{run.workflow_name}: {run.status}, {run.rows_out} of {run.rows_in} rows", "max_rows": 2}"""));
        var leads = Enumerable.Range(0, 7).Select(i => new { name = $"lead {i}" }).ToArray();
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = leads });
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());

        var message = Assert.Single(await WaitForAsync(slack, 1));
        Assert.Equal([503, 200], slack.Messages.Select(m => m.Status)); // a 5xx is retried
        Assert.Equal("test: completed, 7 of 7 rows", message.Text);
        var blocks = message.Body["blocks"]!.AsArray();
        Assert.Equal(["section", "section", "section", "context"], blocks.Select(b => b!["type"]!.GetValue<string>()));
        Assert.Equal("*name*: lead 0", blocks[1]!["text"]!["text"]!.GetValue<string>());
        Assert.Equal("*name*: lead 1", blocks[2]!["text"]!["text"]!.GetValue<string>());
        Assert.Equal("…and 5 more rows", blocks[3]!["elements"]![0]!["text"]!.GetValue<string>());

        // Rows passed on, and nothing more is sent later.
        Assert.Equal(8, (await server.DownloadFinalAsync(runId)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        await Task.Delay(1500, Ct);
        Assert.Single(slack.Delivered);
    }

    [Fact]
    public async Task A_webhook_refused_by_the_outbound_guard_fails_each_row_with_the_reason_and_the_run_goes_on()
    {
        await using var slack = await FakeSlackServer.StartAsync(Ct);
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Slack:Webhooks:sales"] = slack.WebhookUrl("T1/B1/x").AbsoluteUri,
        });
        var workflow = await server.CreateWorkflowAsync(Definition("""{"webhook": "sales", "mode": "per_row"}"""));
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = Leads });
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());
        Assert.Empty(slack.Messages);
        var links = await server.DownloadLinksAsync(runId, includeRejects: true);
        var rejects = links[0].GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(3, rejects.Count);
        Assert.All(rejects, r =>
        {
            var reason = r.GetProperty("reason").GetString()!;
            Assert.StartsWith("send_slack_message: webhook 'sales': ", reason, StringComparison.Ordinal);
            Assert.DoesNotContain("/services/", reason, StringComparison.Ordinal); // the URL is a secret
        });
    }

    [Fact]
    public async Task A_webhook_name_not_configured_is_a_400_listing_the_configured_names()
    {
        await using var slack = await FakeSlackServer.StartAsync(Ct);
        await using var server = await StartAsync(slack);
        var response = await server.Client.PostAsJsonAsync("/workflows/validate", new
        {
            workflow_definition = JsonDocument.Parse(Definition("""{"webhook": "marketing", "mode": "hourly", "max_rows": 99, "message": "{run.rows_out"}""")).RootElement,
        }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").EnumerateArray()
            .ToDictionary(e => string.Join('/', e.GetProperty("loc").EnumerateArray().Skip(5).Select(l => l.ToString())), e => e.GetProperty("msg").GetString()!);
        Assert.Equal("Block 'notify': webhook 'marketing' is not configured on this server (configured webhooks: ops, sales); add it as Slack:Webhooks:NAME in the server configuration.", errors["webhook"]);
        Assert.Contains("mode must be 'summary' or 'per_row' (got 'hourly')", errors["mode"], StringComparison.Ordinal);
        Assert.Contains("max_rows must be between 0 and 40 (got 99)", errors["max_rows"], StringComparison.Ordinal);

        foreach (var (specs, expected) in new[]
        {
            ("""{"webhook": "ops", "message": "{run.rows_out"}""", "the '{' at position 0 is not closed"),
            ("""{"webhook": "ops", "message": "Lead {name}"}""", "a summary message cannot name the column {name}"),
            ("""{"webhook": "ops", "mode": "per_row", "message": "{run.rows_out} rows"}""", "message uses {run.rows_out}, which a per_row message cannot know"),
        })
        {
            var bad = await server.Client.PostAsJsonAsync("/workflows/validate", new { workflow_definition = JsonDocument.Parse(Definition(specs)).RootElement }, Ct);
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            var error = Assert.Single((await bad.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").EnumerateArray());
            Assert.Contains(expected, error.GetProperty("msg").GetString(), StringComparison.Ordinal);
            Assert.Equal("message", error.GetProperty("loc").EnumerateArray().Last().GetString());
        }
    }

    [Fact]
    public async Task A_webhook_url_that_is_not_https_stops_the_server_at_start_without_showing_the_url()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
            {
                ["Slack:Webhooks:alerts"] = "http://hooks.example.com/services/secret-token",
                ["Slack:Webhooks:ok"] = "https://hooks.example.com/services/fine",
            });
        });
        Assert.Contains("Slack:Webhooks:alerts must be an absolute https URL", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Slack:Webhooks:ok", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-token", error.Message, StringComparison.Ordinal);
    }
}

using System.Text.Json.Nodes;
using Enrichflow.Fakes;
using Enrichflow.Server.Tests.Export;
using Enrichflow.Server.Tests.Infrastructure;
using Enrichflow.Server.Tests.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Enrichflow.Server.Tests.Outbound;

/// <summary>
/// Issue 11 item 10: logs never hold the paths, queries or headers of outbound calls, nor row values. A real
/// server logging everything at Debug into a capturing provider runs a website call (<c>scrape_web</c>) and an
/// export to a receiver whose URL and headers carry tokens.
/// </summary>
public sealed class OutboundLogTests
{
    private const string QueryToken = "qtok-7f3a9c1e55";
    private const string HeaderToken = "htok-b2d48e9a01";
    private const string PathToken = "ptok-51c0ffee77";
    private const string Domain = "zanzibar-quux.example";
    private const string Contact = "Wilhelmina Rowvalue";
    private const string Email = "w.rowvalue@private-mail.example";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Definition(string exportUrl) => new JsonObject
    {
        ["blocks"] = new JsonArray(
            new JsonObject { ["sequence_number"] = 1, ["block_name"] = "webhook", ["block_id"] = "input" },
            new JsonObject { ["sequence_number"] = 2, ["block_name"] = "scrape_web", ["block_id"] = "scrape", ["specs"] = new JsonObject() },
            new JsonObject
            {
                ["sequence_number"] = 3, ["block_name"] = "export", ["block_id"] = "ship",
                ["specs"] = new JsonObject
                {
                    ["destination"] = new JsonObject
                    {
                        ["type"] = "http",
                        ["url"] = exportUrl,
                        ["headers"] = new JsonObject { ["Authorization"] = "Bearer " + HeaderToken },
                        ["retry_delay_ms"] = 10,
                    },
                },
            }),
        ["edges"] = new JsonArray(
            new JsonObject { ["from_block_id"] = "input", ["to_block_id"] = "scrape" },
            new JsonObject { ["from_block_id"] = "scrape", ["to_block_id"] = "ship" }),
    }.ToJsonString();

    [Fact]
    public async Task An_export_with_tokens_and_a_website_call_leave_no_token_url_path_or_row_value_in_the_logs()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions(), Ct);
        await using var receiver = await ExportReceiver.StartAsync();
        var logs = new CapturingLoggerProvider();
        var settings = fake.ProviderConfiguration("site", "website");
        settings["Outbound:Allow:0"] = "127.0.0.1/32";
        settings["Logging:LogLevel:Default"] = "Debug";
        settings["Logging:Console:LogLevel:Default"] = "None";
        await using var server = await TestServer.StartAsync(settings, services: s => s.AddSingleton<ILoggerProvider>(logs));
        var workflow = await server.CreateWorkflowAsync(Definition($"{receiver.Url}?access_token={QueryToken}"));
        var page = fake.SiteUrl(Domain).AbsoluteUri;

        var runId = await server.StartRunAsync(workflow, new { webhook_payload = new object[] { new { website = page, contact = Contact, email = Email } } });
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());

        // Both calls were made, with their tokens and row values.
        var sent = Assert.Single(receiver.Requests);
        Assert.Equal("Bearer " + HeaderToken, sent.Headers["Authorization"]);
        Assert.Contains(Email, sent.Body.GetRawText(), StringComparison.Ordinal);
        Assert.True(fake.TotalCalls >= 1);

        // Our own lines are there (host, status, duration), the HttpClient factory's are not.
        var entries = logs.Entries;
        Assert.Contains(entries, e => e.Category == "Enrichflow.Outbound" && e.Text.Contains("site: GET 127.0.0.1:" + fake.BaseUrl.Port + " answered ", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.Category == "Enrichflow.Outbound" && e.Text.Contains("outbound: POST 127.0.0.1:", StringComparison.Ordinal));
        Assert.Equal(fake.TotalCalls, entries.Count(e => e.EventId == Core.Diagnostics.LogEvents.OutboundAttempt && e.Text.Contains("site: GET", StringComparison.Ordinal)));
        Assert.DoesNotContain(entries, e => e.Category.StartsWith("System.Net.Http", StringComparison.Ordinal));
        var text = logs.AllText;
        foreach (var secret in new[] { QueryToken, HeaderToken, Domain, Contact, Email, "/sites/", "/export" })
        {
            Assert.False(text.Contains(secret, StringComparison.OrdinalIgnoreCase), $"the logs hold '{secret}':\n{string.Join('\n', entries.Where(e => e.Text.Contains(secret, StringComparison.OrdinalIgnoreCase)).Select(e => e.Text))}");
        }
    }

    [Fact]
    public async Task A_webhook_delivery_retried_once_to_a_url_with_tokens_in_its_path_and_query_leaves_neither_nor_row_values_in_the_logs()
    {
        await using var receiver = await WebhookReceiver.StartAsync(n => new ReceiverAnswer(n == 1 ? 500 : 200));
        var logs = new CapturingLoggerProvider();
        var settings = WebhookFlows.Settings(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Debug",
            ["Logging:Console:LogLevel:Default"] = "None",
        });
        await using var server = await TestServer.StartAsync(settings, services: s => s.AddSingleton<ILoggerProvider>(logs));
        var url = $"{receiver.BaseUrl}/hooks/{PathToken}?token={QueryToken}";
        var workflow = await server.CreateWorkflowAsync(WebhookFlows.Definition(new { url, include_rows = true }));

        var runId = await server.StartRunAsync(workflow, new { webhook_payload = new object[] { new { contact = Contact, email = Email } } });
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());
        var delivery = Assert.Single((await WebhookFlows.WaitForDeliveriesAsync(server, runId)).EnumerateArray());

        Assert.Equal("delivered", delivery.GetProperty("status").GetString());
        Assert.Contains(Email, System.Text.Encoding.UTF8.GetString(receiver.Received[^1].Body), StringComparison.Ordinal);
        var entries = logs.Entries;
        Assert.Contains(entries, e => e.EventId == Core.Diagnostics.LogEvents.WebhookRetrying);
        Assert.Contains(entries, e => e.EventId == Core.Diagnostics.LogEvents.WebhookDelivered && e.Text.Contains(receiver.BaseUrl, StringComparison.Ordinal));
        var text = logs.AllText;
        foreach (var secret in new[] { PathToken, QueryToken, Contact, Email, "/hooks/" })
        {
            Assert.False(text.Contains(secret, StringComparison.OrdinalIgnoreCase), $"the logs hold '{secret}':\n{string.Join('\n', entries.Where(e => e.Text.Contains(secret, StringComparison.OrdinalIgnoreCase)).Select(e => e.Text))}");
        }
    }
}

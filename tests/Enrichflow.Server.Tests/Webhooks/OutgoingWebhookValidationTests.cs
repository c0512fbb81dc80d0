using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Webhooks;

/// <summary>Specs of <c>outgoing_webhook</c> that are refused when the workflow is saved (400 naming the block).</summary>
public sealed class OutgoingWebhookValidationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string> CreateAsync(TestServer server, object specs, HttpStatusCode expected)
    {
        var body = new
        {
            workflow_name = "hook",
            workflow_description = "a hook",
            workflow_definition = JsonDocument.Parse(WebhookFlows.Definition(specs)).RootElement,
        };
        var response = await server.Client.PostAsJsonAsync("/workflows/create_workflow", body, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(expected == response.StatusCode, $"create_workflow answered {(int)response.StatusCode}: {text}");
        return text;
    }

    [Theory]
    [InlineData("ftp://example.com/hook", "scheme 'ftp'")]
    [InlineData("file:///etc/passwd", "scheme 'file'")]
    [InlineData("javascript:alert(1)", "scheme 'javascript'")]
    [InlineData("/relative/hook", "not an absolute URL")]
    [InlineData("", "not an absolute URL")]
    public async Task A_url_that_is_not_http_or_https_is_400_naming_the_block(string url, string why)
    {
        await using var server = await TestServer.StartAsync();

        var text = await CreateAsync(server, new { url }, HttpStatusCode.BadRequest);

        Assert.Contains("url of block 'notify'", text, StringComparison.Ordinal);
        Assert.Contains(why, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_url_is_400_naming_the_block()
    {
        await using var server = await TestServer.StartAsync();

        var text = await CreateAsync(server, new { include_rows = true }, HttpStatusCode.BadRequest);

        Assert.Contains("'notify'", text, StringComparison.Ordinal);
        Assert.Contains("url", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(101)]
    [InlineData(-1)]
    [InlineData("all")]
    public async Task Include_rows_outside_true_false_or_0_to_100_is_400(object includeRows)
    {
        await using var server = await TestServer.StartAsync();

        var text = await CreateAsync(server, new { url = "https://example.com/hook", include_rows = includeRows }, HttpStatusCode.BadRequest);

        Assert.Contains("include_rows of block 'notify'", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_event_type_is_400_naming_it_and_the_known_ones()
    {
        await using var server = await TestServer.StartAsync();

        var text = await CreateAsync(server, new { url = "https://example.com/hook", event_types = new[] { "run.completed", "run.exploded" } }, HttpStatusCode.BadRequest);

        Assert.Contains("event_types[1] of block 'notify' is 'run.exploded'", text, StringComparison.Ordinal);
        Assert.Contains("run.cancelled", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Valid_specs_are_accepted_and_the_block_is_in_the_catalogue()
    {
        await using var server = await TestServer.StartAsync();

        await CreateAsync(server, new { url = "https://example.com/hook?token=1", include_rows = 10, event_types = new[] { "run.failed" } }, HttpStatusCode.OK);

        var catalogue = await server.Client.GetStringAsync("/workflows/blocks", Ct);
        Assert.Contains("outgoing_webhook", catalogue, StringComparison.Ordinal);
    }
}

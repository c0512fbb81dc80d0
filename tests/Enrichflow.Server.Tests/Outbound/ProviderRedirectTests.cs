using Enrichflow.Fakes;
using Enrichflow.Server.Tests.Enrichment;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Outbound;

/// <summary>
/// Issue 11 item 9: a provider's client never follows a redirect, so Sixtyfour's <c>x-api-key</c> cannot be sent to
/// another host; the 3xx fails the row with a reason naming the provider and the redirect.
/// </summary>
public sealed class ProviderRedirectTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_sixtyfour_302_to_another_loopback_port_fails_the_rows_naming_the_redirect_and_the_second_server_gets_no_request()
    {
        await using var second = await FakeProviderServer.StartAsync(new FakeProviderOptions(), Ct);
        await using var redirector = await FakeRedirector.StartAsync(Ct, everythingTo: second.BaseUrl);
        var settings = second.ProviderConfiguration("s64", "sixtyfour");
        settings["Providers:s64:BaseUrl"] = redirector.BaseUrl.AbsoluteUri;
        // The second server's port is allowed, so only the refusal to follow keeps the key from it.
        settings["Outbound:Allow:0"] = "127.0.0.1/32";
        await using var server = await TestServer.StartAsync(settings);
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookEnrichCompany);

        var runId = await server.StartRunAsync(workflow, new { webhook_payload = new object[] { new { name = "Globex", website = "https://globex.example" } } }, "&result_formats=ndjson");
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());

        var reject = Assert.Single(await RunRows.RejectsAsync(server, runId));
        var reason = reject.GetProperty("reason").GetString()!;
        Assert.Contains("s64", reason, StringComparison.Ordinal);
        Assert.Contains($"HTTP 302, a redirect to http://127.0.0.1:{second.BaseUrl.Port}/", reason, StringComparison.Ordinal);
        Assert.Contains("not followed", reason, StringComparison.Ordinal);
        Assert.True(redirector.Requests >= 1);
        Assert.Equal(0, second.TotalCalls);
    }
}

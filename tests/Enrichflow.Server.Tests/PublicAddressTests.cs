using System.Net.Http.Json;
using System.Text.Json;
using Enrichflow.Server.Hosting;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests;

/// <summary>Links work behind a TLS proxy: <c>Server:PublicBaseUrl</c>, and forwarded headers from trusted proxies only (docs/api.md §9).</summary>
public sealed class PublicAddressTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string> FirstLinkAsync(TestServer server, Action<HttpRequestMessage>? headers = null)
    {
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = new { a = 1 } });
        await server.WaitForRunAsync(runId);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/workflows/runs/{runId}/results/download-links");
        headers?.Invoke(request);
        using var response = await server.Client.SendAsync(request, Ct);
        response.EnsureSuccessStatusCode();
        var links = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return links[0].GetProperty("download_url").GetString()!;
    }

    private static void Forwarded(HttpRequestMessage request)
    {
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "proxy.example");
    }

    [Fact]
    public async Task Download_links_start_with_the_configured_public_base_url()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Server:PublicBaseUrl"] = "https://enrich.example.com/" });

        var link = await FirstLinkAsync(server);

        Assert.StartsWith("https://enrich.example.com/downloads/", link, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forwarded_headers_from_a_trusted_proxy_shape_the_links()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Server:TrustedProxies:0"] = "127.0.0.0/8" });

        var link = await FirstLinkAsync(server, Forwarded);

        Assert.StartsWith("https://proxy.example/downloads/", link, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forwarded_headers_are_ignored_when_no_proxy_is_trusted()
    {
        await using var server = await TestServer.StartAsync();

        var link = await FirstLinkAsync(server, Forwarded);

        Assert.StartsWith("http://127.0.0.1:", link, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_proxy_entry_or_public_url_is_among_the_configuration_problems()
    {
        var directory = Path.Combine(Path.GetTempPath(), "enrichflow-tests", Guid.NewGuid().ToString("N"));
        try
        {
            await using var app = EnrichflowApp.Build(new ServeSettings("http://127.0.0.1:0", directory), overrides:
            [
                new("Server:TrustedProxies:0", "10.0.0.1"),
                new("Server:TrustedProxies:1", "proxy.local"),
                new("Server:PublicBaseUrl", "ftp://files.example"),
            ]);

            var problems = EnrichflowApp.ConfigurationProblems(app);

            Assert.Contains("Server:TrustedProxies[1] 'proxy.local' is not an IP address or a CIDR range (like 10.0.0.0/8).", problems);
            Assert.Contains("Server:PublicBaseUrl must be an absolute http or https URL without a query (was 'ftp://files.example').", problems);
            Assert.DoesNotContain(problems, p => p.Contains("[0]", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

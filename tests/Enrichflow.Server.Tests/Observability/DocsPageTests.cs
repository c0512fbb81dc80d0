using System.Net;
using System.Text.RegularExpressions;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Observability;

/// <summary><c>/docs</c>: the reference page Scalar renders, with every script and stylesheet served by the server itself.</summary>
public sealed partial class DocsPageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_docs_page_loads_nothing_from_the_internet_and_its_assets_are_served()
    {
        await using var server = await TestServer.StartAsync();
        using var anonymous = server.NewClient(null);
        var response = await anonymous.GetAsync("/docs", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync(Ct);
        // Scalar's page (at /docs/, where /docs redirects) reads the document from this server.
        Assert.Contains("\"url\":\"openapi/v1.json\"", html, StringComparison.Ordinal);

        var page = response.RequestMessage!.RequestUri!;
        var urls = Reference().Matches(html).Select(m => m.Groups["url"].Value).ToList();
        Assert.Contains(urls, u => u.EndsWith(".js", StringComparison.Ordinal));
        foreach (var url in urls)
        {
            var absolute = new Uri(page, url);
            Assert.True(absolute.Scheme == page.Scheme && absolute.Authority == page.Authority, $"/docs loads {url} from another origin");
            var asset = await anonymous.GetAsync(absolute, Ct);
            Assert.True(asset.StatusCode == HttpStatusCode.OK, $"{url} answered {(int)asset.StatusCode}");
            Assert.True((await asset.Content.ReadAsByteArrayAsync(Ct)).Length > 0, $"{url} is empty");
        }

        // No absolute URL to another host anywhere in a src or href, and no @import of a font service.
        Assert.DoesNotMatch(ExternalReference(), html);
    }

    [GeneratedRegex("""<(?:script|link|img)\b[^>]*?\b(?:src|href)\s*=\s*["'](?<url>[^"']+)["']""", RegexOptions.IgnoreCase)]
    private static partial Regex Reference();

    [GeneratedRegex("""(?:src|href)\s*=\s*["']https?://|@import\s+url\(\s*["']?https?://""", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();
}

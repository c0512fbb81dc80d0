using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Enrichflow.Browser.Tests.Infrastructure;

namespace Enrichflow.Browser.Tests;

/// <summary>How the server answers for the dashboard's files (docs/api.md §11 "Dashboard"), without a browser.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardAssetsTests(BrowserFixture fixture)
{
    [Fact]
    public async Task The_root_is_the_dashboard_page_without_a_key_and_with_a_content_security_policy()
    {
        using var anonymous = new HttpClient { BaseAddress = new Uri(fixture.Server.BaseUrl) };
        var response = await anonymous.GetAsync("/", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("/web/js/app.js", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        var policy = string.Join(' ', response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", policy, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/web/js/app.js", "text/javascript")]
    [InlineData("/web/app.css", "text/css")]
    [InlineData("/web/vendor/preact.mjs", "text/javascript")]
    [InlineData("/web/vendor/dagre.esm.js", "text/javascript")]
    [InlineData("/web/vendor/chart.umd.min.js", "text/javascript")]
    public async Task Every_file_the_page_loads_is_served_from_the_assembly_and_revalidated_by_its_etag(string path, string mediaType)
    {
        using var anonymous = new HttpClient { BaseAddress = new Uri(fixture.Server.BaseUrl) };
        var first = await anonymous.GetAsync(path, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(mediaType, first.Content.Headers.ContentType?.MediaType);
        Assert.True((await first.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)).Length > 100);

        using var again = new HttpRequestMessage(HttpMethod.Get, path);
        again.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Parse(first.Headers.ETag!.ToString()));
        var second = await anonymous.SendAsync(again, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
    }

    [Fact]
    public async Task An_unknown_file_is_the_usual_404()
    {
        using var anonymous = new HttpClient { BaseAddress = new Uri(fixture.Server.BaseUrl) };
        var response = await anonymous.GetAsync("/web/js/nothing-here.js", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Not Found", body.RootElement.GetProperty("detail").GetString());
    }
}

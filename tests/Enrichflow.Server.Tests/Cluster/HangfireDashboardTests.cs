using System.Net;
using System.Text.Json;
using Enrichflow.Core.Storage;
using Enrichflow.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Enrichflow.Server.Tests.Cluster;

/// <summary>
/// The Hangfire dashboard the API serves at <c>/hangfire</c> with <c>Dispatch:Kind = hangfire</c> (issue 13 item 3,
/// docs/api.md §9): only keys of the organizations in <c>Dashboard:Orgs</c> open it, through the header or a session
/// cookie a POSTed key sets; it is read-only, and not there at all on the embedded dispatcher.
/// </summary>
public sealed class HangfireDashboardTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, string?> Hangfire() => new()
    {
        ["Dispatch:Kind"] = "hangfire",
        ["Dispatch:Hangfire:ConnectionString"] = TestBackends.PostgresConnectionString(),
        ["Dispatch:Hangfire:Schema"] = $"hangfire_{Guid.NewGuid():N}",
    };

    [Fact]
    public async Task Without_a_key_or_with_a_wrong_key_the_dashboard_answers_401_with_none_of_its_content()
    {
        await using var server = await TestServer.StartAsync(Hangfire());
        using var anonymous = Client(server, null);
        using var wrong = Client(server, "ef_not-a-key");

        foreach (var client in new[] { anonymous, wrong })
        {
            foreach (var path in new[] { "/hangfire", "/hangfire/jobs/succeeded", "/hangfire/servers" })
            {
                using var page = await client.GetAsync(path, Ct);
                var body = await page.Content.ReadAsStringAsync(Ct);
                Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
                Assert.DoesNotContain("Enrichflow work units", body, StringComparison.Ordinal);
                Assert.DoesNotContain("/hangfire/stats", body, StringComparison.Ordinal);
            }

            using var stats = await client.PostAsync("/hangfire/stats", Metrics(), Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, stats.StatusCode);
            Assert.DoesNotContain("succeeded:count", await stats.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        // A browser is shown the login form, which posts the key (never puts it in a URL).
        using var browser = new HttpRequestMessage(HttpMethod.Get, "/hangfire");
        browser.Headers.Accept.ParseAdd("text/html");
        using var form = await anonymous.SendAsync(browser, Ct);
        var html = await form.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, form.StatusCode);
        Assert.Contains("<form method=\"post\" action=\"/hangfire/login\">", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_default_organizations_key_in_the_header_the_dashboard_page_and_its_stats_are_served()
    {
        await using var server = await TestServer.StartAsync(Hangfire());
        using var client = Client(server, server.ApiKey);

        using var page = await client.GetAsync("/hangfire", Ct);
        var html = await page.Content.ReadAsStringAsync(Ct);
        using var stats = await client.PostAsync("/hangfire/stats", Metrics(), Ct);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Enrichflow work units", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        var json = JsonDocument.Parse(await stats.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.True(json.TryGetProperty("failed:count", out _), json.ToString());
        Assert.True(json.TryGetProperty("succeeded:count", out _), json.ToString());
    }

    [Fact]
    public async Task A_posted_key_sets_an_http_only_signed_session_cookie_scoped_to_hangfire_that_opens_the_dashboard()
    {
        await using var server = await TestServer.StartAsync(Hangfire());
        using var browser = Client(server, null);

        using var login = await browser.PostAsync("/hangfire/login", new FormUrlEncodedContent([new("api_key", server.ApiKey)]), Ct);

        Assert.Equal(HttpStatusCode.SeeOther, login.StatusCode);
        Assert.Equal("/hangfire/", login.Headers.Location?.OriginalString);
        var setCookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("enrichflow_dashboard=", setCookie, StringComparison.Ordinal);
        Assert.Contains("path=/hangfire", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("max-age=1800", setCookie, StringComparison.OrdinalIgnoreCase);
        var cookie = setCookie[..setCookie.IndexOf(';', StringComparison.Ordinal)];
        Assert.DoesNotContain(server.ApiKey, cookie, StringComparison.Ordinal);

        using var page = await SendWithCookieAsync(browser, HttpMethod.Get, "/hangfire", cookie);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Enrichflow work units", await page.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        using var stats = await SendWithCookieAsync(browser, HttpMethod.Post, "/hangfire/stats", cookie, Metrics());
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);

        // A tampered cookie opens nothing.
        var value = cookie["enrichflow_dashboard=".Length..];
        var tampered = "enrichflow_dashboard=" + (value[0] == 'A' ? 'B' : 'A') + value[1..];
        using var forged = await SendWithCookieAsync(browser, HttpMethod.Get, "/hangfire", tampered);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
    }

    [Fact]
    public async Task A_session_ends_when_its_key_is_revoked_and_a_wrong_posted_key_sets_no_cookie()
    {
        await using var server = await TestServer.StartAsync(Hangfire());
        var key = await server.CreateKeyAsync("default");
        using var browser = Client(server, null);
        using var login = await browser.PostAsync("/hangfire/login", new FormUrlEncodedContent([new("api_key", key)]), Ct);
        var setCookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        var cookie = setCookie[..setCookie.IndexOf(';', StringComparison.Ordinal)];

        var accounts = server.Services.GetRequiredService<IAccountStore>();
        var record = await accounts.FindApiKeyAsync(Enrichflow.Hosting.ApiKeys.Hash(key), Ct);
        Assert.True(await accounts.RevokeApiKeyAsync(record!.Id, DateTimeOffset.UtcNow, Ct));

        using var after = await SendWithCookieAsync(browser, HttpMethod.Get, "/hangfire", cookie);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        using var wrong = await browser.PostAsync("/hangfire/login", new FormUrlEncodedContent([new("api_key", "ef_wrong")]), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.False(wrong.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task A_key_of_an_organization_not_in_Dashboard_Orgs_is_refused_with_403_and_a_listed_one_is_let_in()
    {
        var settings = Hangfire();
        settings["Dashboard:Orgs:0"] = "ops";
        await using var server = await TestServer.StartAsync(settings);
        using var tenant = Client(server, server.ApiKey);
        using var ops = Client(server, await server.CreateKeyAsync("ops", readOnly: true));

        using var refused = await tenant.GetAsync("/hangfire", Ct);
        using var admitted = await ops.GetAsync("/hangfire", Ct);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("Dashboard:Orgs", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
    }

    [Fact]
    public async Task The_dashboard_is_read_only_its_commands_are_refused()
    {
        await using var server = await TestServer.StartAsync(Hangfire());
        using var client = Client(server, server.ApiKey);

        using var delete = await client.PostAsync("/hangfire/jobs/succeeded/delete", new FormUrlEncodedContent([new("jobs[]", "1")]), Ct);
        using var page = await client.GetAsync("/hangfire/jobs/succeeded", Ct);

        Assert.False(delete.IsSuccessStatusCode, $"{delete.StatusCode}");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.DoesNotContain("js-jobs-list-command", await page.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_the_embedded_dispatcher_there_is_no_dashboard()
    {
        await using var server = await TestServer.StartAsync();
        using var client = Client(server, server.ApiKey);

        using var page = await client.GetAsync("/hangfire", Ct);
        using var login = await client.GetAsync("/hangfire/login", Ct);

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, login.StatusCode);
    }

    [Fact]
    public async Task A_session_length_out_of_range_stops_the_server_naming_the_setting()
    {
        var settings = Hangfire();
        settings["Dashboard:SessionMinutes"] = "0";

        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestServer.StartAsync(settings));

        Assert.Contains("Dashboard:SessionMinutes must be between 1 and 1440 (was 0)", error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>A client that follows no redirect and keeps no cookie, so each test sees exactly what the server sent.</summary>
    private static HttpClient Client(TestServer server, string? key)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(server.BaseUrl) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("x-api-key", key);
        }

        return client;
    }

    private static async Task<HttpResponseMessage> SendWithCookieAsync(HttpClient client, HttpMethod method, string path, string cookie, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("Cookie", cookie);
        return await client.SendAsync(request, Ct);
    }

    private static FormUrlEncodedContent Metrics() => new([new("metrics[]", "succeeded:count"), new("metrics[]", "failed:count")]);
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Enrichflow.Fakes;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Web;

/// <summary><c>scrape_web</c> against pages of the fake provider server on loopback (allow-listed), through the outbound guard.</summary>
public sealed class ScrapeWebTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Definition(string specs) => $$"""
        {"blocks": [
          {"sequence_number": 1, "block_name": "webhook", "block_id": "input"},
          {"sequence_number": 2, "block_name": "scrape_web", "block_id": "scrape", "specs": {{specs}}}],
         "edges": [{"from_block_id": "input", "to_block_id": "scrape"}]}
        """;

    private static async Task<TestServer> StartAsync(FakeProviderServer fake, Dictionary<string, string?>? more = null)
    {
        var settings = fake.ProviderConfiguration("site", "website");
        settings["Outbound:Allow:0"] = "127.0.0.1/32";
        settings["Engine:ChunkSize"] = "10";
        foreach (var (key, value) in more ?? [])
        {
            settings[key] = value;
        }

        return await TestServer.StartAsync(settings);
    }

    private static async Task<List<JsonElement>> RowsAsync(TestServer server, string runId) =>
        [.. (await server.DownloadFinalAsync(runId, "ndjson")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];

    private static async Task<List<JsonElement>> RejectsAsync(TestServer server, string runId)
    {
        var links = await server.DownloadLinksAsync(runId, "rejects");
        return links.EnumerateArray().FirstOrDefault(l => l.GetProperty("filename").GetString() == "rejects.ndjson") is { ValueKind: JsonValueKind.Object } file
            ? [.. file.GetProperty("results").EnumerateArray()]
            : [];
    }

    [Fact]
    public async Task A_page_gives_its_title_description_text_markdown_links_emails_and_phones()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions(), Ct);
        await using var server = await StartAsync(fake);
        var workflow = await server.CreateWorkflowAsync(Definition("{}"));
        var page = fake.SiteUrl("acme.example").AbsoluteUri;
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = new object[] { new { website = page, n = 1 } } }, "&result_formats=ndjson");
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());

        var row = Assert.Single(await RowsAsync(server, runId));
        Assert.Equal(
            ["website", "n", "web_url", "web_title", "web_description", "web_text", "web_markdown", "web_links", "web_emails", "web_phones", "web_status"],
            row.EnumerateObject().Select(p => p.Name));
        Assert.Equal("ok", row.GetProperty("web_status").GetString());
        Assert.Equal(page, row.GetProperty("web_url").GetString());
        Assert.StartsWith("Home | ", row.GetProperty("web_title").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("makes dependable widgets for small businesses.", row.GetProperty("web_description").GetString(), StringComparison.Ordinal);
        Assert.Contains("Questions? Write to sales@acme.example or call us.", row.GetProperty("web_text").GetString()!.Split('\n'));
        var markdown = row.GetProperty("web_markdown").GetString()!;
        Assert.Contains($"[About]({page}about)", markdown, StringComparison.Ordinal);
        Assert.Contains("[LinkedIn](https://www.linkedin.com/company/", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("<", markdown, StringComparison.Ordinal);
        var links = row.GetProperty("web_links").EnumerateArray().Select(l => l.GetString()).ToList();
        Assert.Contains($"{page}contact", links);
        Assert.Contains("https://twitter.com/intent/tweet?text=hello", links);
        Assert.Contains("sales@acme.example", row.GetProperty("web_emails").EnumerateArray().Select(e => e.GetString()));
        Assert.NotEmpty(row.GetProperty("web_phones").EnumerateArray());
    }

    [Fact]
    public async Task A_private_address_is_refused_and_fails_its_row_while_the_run_goes_on()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions(), Ct);
        await using var server = await StartAsync(fake);
        var workflow = await server.CreateWorkflowAsync(Definition("""{"url_field": "site", "return": ["title"]}"""));
        var runId = await server.StartRunAsync(workflow, new
        {
            webhook_payload = new object[]
            {
                new { site = "http://10.20.30.40/" },
                new { site = fake.SiteUrl("globex.example").AbsoluteUri },
                new { site = "http://169.254.169.254/latest/meta-data/" },
                new { site = fake.SiteUrl("globex.example").AbsoluteUri + "no-such-page" },
                new { site = "" },
            },
        }, "&result_formats=ndjson");
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());

        var rows = await RowsAsync(server, runId);
        Assert.Equal(["ok", "not_found"], rows.Select(r => r.GetProperty("web_status").GetString()));
        Assert.Equal(["site", "web_url", "web_title", "web_status"], rows[0].EnumerateObject().Select(p => p.Name));
        var rejects = await RejectsAsync(server, runId);
        Assert.Equal([0L, 2L, 4L], rejects.Select(r => r.GetProperty("row_index").GetInt64()));
        Assert.All(rejects.Take(2), r =>
        {
            Assert.StartsWith("scrape_web: ", r.GetProperty("reason").GetString(), StringComparison.Ordinal);
            Assert.Contains("refused", r.GetProperty("reason").GetString(), StringComparison.OrdinalIgnoreCase);
        });
        Assert.Equal("scrape_web: column 'site' is empty or missing", rejects[2].GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Redirects_are_followed_and_each_target_is_checked_by_the_outbound_guard()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions(), Ct);
        await using var redirector = await FakeRedirector.StartAsync(Ct);
        await using var server = await StartAsync(fake);
        var workflow = await server.CreateWorkflowAsync(Definition("""{"return": ["title"]}"""));
        var page = fake.SiteUrl("hooli.example").AbsoluteUri;
        var runId = await server.StartRunAsync(workflow, new
        {
            webhook_payload = new object[]
            {
                new { website = redirector.To(page).AbsoluteUri },
                new { website = redirector.To("http://10.9.8.7/admin").AbsoluteUri },
            },
        }, "&result_formats=ndjson");
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());

        var row = Assert.Single(await RowsAsync(server, runId));
        Assert.Equal(page, row.GetProperty("web_url").GetString());
        Assert.StartsWith("Home | ", row.GetProperty("web_title").GetString(), StringComparison.Ordinal);
        var reject = Assert.Single(await RejectsAsync(server, runId));
        Assert.Equal(1, reject.GetProperty("row_index").GetInt64());
        Assert.Contains("10.9.8.7", reject.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains("refused", reject.GetProperty("reason").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_page_fetched_once_is_read_from_the_cache_by_the_next_run()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions(), Ct);
        await using var server = await StartAsync(fake);
        var workflow = await server.CreateWorkflowAsync(Definition("""{"return": ["title", "emails"]}"""));
        var payload = new { webhook_payload = new object[] { new { website = fake.SiteUrl("initech.example").AbsoluteUri } } };
        foreach (var _ in new[] { 1, 2 })
        {
            var runId = await server.StartRunAsync(workflow, payload, "&result_formats=ndjson");
            Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());
            Assert.Equal("ok", Assert.Single(await RowsAsync(server, runId)).GetProperty("web_status").GetString());
        }

        Assert.Equal(1, fake.CallsFor("initech.example"));
    }

    [Fact]
    public async Task Bad_specs_and_a_provider_that_is_not_a_website_are_400s_naming_the_field()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions(), Ct);
        await using var server = await StartAsync(fake, fake.ProviderConfiguration("s64", "sixtyfour"));
        var response = await server.Client.PostAsJsonAsync("/workflows/validate", new
        {
            workflow_definition = JsonDocument.Parse(Definition("""{"return": ["title", "html"], "max_bytes": 0, "provider": "s64"}""")).RootElement,
        }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").EnumerateArray()
            .ToDictionary(e => string.Join('/', e.GetProperty("loc").EnumerateArray().Skip(5).Select(l => l.ToString())), e => e.GetProperty("msg").GetString()!);
        Assert.Contains("Block 'scrape': return[1] 'html' is not one of title, description, text, markdown, links, emails, phones", errors["return/1"], StringComparison.Ordinal);
        Assert.Contains("max_bytes must be more than 0", errors["max_bytes"], StringComparison.Ordinal);
        Assert.Contains("provider 's64' is not of kind 'website'", errors["provider"], StringComparison.Ordinal);
        Assert.Contains("Providers of kind 'website' on this server: site", errors["provider"], StringComparison.Ordinal);

        await using var bare = await TestServer.StartAsync();
        var none = await bare.Client.PostAsJsonAsync("/workflows/validate", new { workflow_definition = JsonDocument.Parse(Definition("{}")).RootElement }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
        Assert.Contains("needs a provider of kind 'website' and none is configured", await none.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }
}

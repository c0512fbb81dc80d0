using System.Text.Json.Nodes;
using Enrichflow.Providers;
using Enrichflow.Providers.Kinds;
using Enrichflow.Fakes;
using static Enrichflow.Providers.Tests.Kinds.ProviderKit;

namespace Enrichflow.Providers.Tests.Kinds;

public sealed class WebsiteProviderTests
{
    private static EnrichmentRequest Site(string website, params ReturnField[] fields) =>
        Request(EnrichmentOperation.EnrichCompany, new Dictionary<string, string> { ["website"] = website }, fields);

    [Fact]
    public async Task Extracts_name_description_social_links_emails_and_phones_from_the_home_page()
    {
        await using var kit = await StartAsync("web", "website");
        var request = Site(kit.Fake.SiteUrl("acme.example").AbsoluteUri,
            Field("company_name"), Field("description"), Field("linkedin"), Field("twitter"), Field("github"), Field("social_links", ReturnFieldType.Dict),
            Field("emails", ReturnFieldType.ListStr), Field("email"), Field("phones", ReturnFieldType.ListStr), Field("phone"), Field("revenue", ReturnFieldType.Int));

        var answer = await kit.CallAsync("web", request);

        Assert.Equal(EnrichmentOutcome.Found, answer.Outcome);
        Assert.Equal("Acme", answer.Fields["company_name"]!.ToString());
        Assert.Equal("Acme makes dependable widgets for small businesses.", answer.Fields["description"]!.ToString());
        Assert.Equal("https://www.linkedin.com/company/acme/", answer.Fields["linkedin"]!.ToString());
        Assert.Equal("https://twitter.com/acme", answer.Fields["twitter"]!.ToString());
        Assert.Equal("https://github.com/acme", answer.Fields["github"]!.ToString());
        Assert.Equal(4, answer.Fields["social_links"]!.AsObject().Count);
        Assert.Equal("""["hello@acme.example","sales@acme.example"]""", answer.Fields["emails"]!.ToJsonString());
        Assert.Equal("hello@acme.example", answer.Fields["email"]!.ToString());
        Assert.Single(answer.Fields["phones"]!.AsArray());
        Assert.StartsWith("+1-555-01", answer.Fields["phone"]!.ToString(), StringComparison.Ordinal);
        Assert.Null(answer.Fields["revenue"]);
        Assert.Equal(1, kit.Fake.TotalCalls);
    }

    [Fact]
    public async Task Further_paths_are_read_only_while_requested_fields_are_missing()
    {
        await using var kit = await StartAsync("web", "website", ("Paths:0", "/"), ("Paths:1", "/about"), ("Paths:2", "/contact"));

        var answer = await kit.CallAsync("web", Site(kit.Fake.SiteUrl("acme.example").AbsoluteUri, Field("instagram"), Field("emails", ReturnFieldType.ListStr)));

        Assert.Equal("https://www.instagram.com/acme/", answer.Fields["instagram"]!.ToString());
        Assert.Contains("press@acme.example", answer.Fields["emails"]!.AsArray().Select(e => e!.ToString()));
        Assert.Equal(2, kit.Fake.TotalCalls);
    }

    [Fact]
    public async Task A_site_that_is_not_there_is_not_found()
    {
        await using var kit = await StartAsync(new FakeProviderOptions { HitPercent = 0 }, "web", "website");

        var answer = await kit.CallAsync("web", Site(kit.Fake.SiteUrl("gone.example").AbsoluteUri, Field("description")));

        Assert.Equal(EnrichmentOutcome.NotFound, answer.Outcome);
        Assert.EndsWith("answered HTTP 404", answer.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://10.0.0.1/", "Outbound URL http://10.0.0.1/ is refused: 10.0.0.1 is a private address (RFC 1918); allow it with Outbound:Allow.")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "Outbound URL http://169.254.169.254/ is refused: 169.254.169.254 is a cloud metadata address; allow it with Outbound:Allow.")]
    public async Task Private_and_metadata_addresses_are_refused_without_a_request(string website, string refusal)
    {
        await using var kit = await StartAsync("web", "website");

        var answer = await kit.CallAsync("web", Site(website, Field("description")));

        Assert.Equal(EnrichmentOutcome.Failed, answer.Outcome);
        Assert.Equal(refusal, answer.Reason);
        Assert.Equal(0, kit.Spy.Count);
    }

    [Fact]
    public void A_domain_without_a_website_is_fetched_over_https_and_paths_stay_under_the_site()
    {
        Assert.Equal("https://acme.example/", WebsiteProvider.StartUrl(Company("WWW.Acme.example"))!.AbsoluteUri);
        Assert.Equal("https://acme.example/about", WebsiteProvider.Under(new Uri("https://acme.example"), "/about").AbsoluteUri);
        Assert.Equal("http://h/sites/a/contact", WebsiteProvider.Under(new Uri("http://h/sites/a/"), "contact").AbsoluteUri);
    }

    [Fact]
    public void A_page_title_gives_the_name_without_generic_words()
    {
        var page = new WebsitePage();
        page.Add("<html><head><title>Welcome - Initech Corp</title></head><body><a href='mailto:Info@Initech.example'>x</a> info@initech.example logo@2x.png</body></html>", new Uri("https://initech.example/"));

        Assert.Equal("Initech Corp", page.Name);
        Assert.Equal(["info@initech.example"], page.Emails);
        Assert.Null(page.Value("unknown_field"));
        Assert.IsType<JsonArray>(page.Value("emails"));
    }
}

using Enrichflow.Fakes;
using Enrichflow.Providers.Tests.Kinds;
using static Enrichflow.Providers.Tests.Kinds.ProviderKit;

namespace Enrichflow.Providers.Tests.Outbound;

/// <summary>
/// Every provider kind connects through the outbound guard with redirects off (docs/api.md §6, issue 11 item 9):
/// its own configured <c>BaseUrl</c> is allowed for its client alone, a 3xx is a failure never followed, and a
/// row's URL to a private address stays refused.
/// </summary>
public sealed class ProviderGuardTests
{
    public static TheoryData<string> ConfiguredKinds => ["sixtyfour", "openai_compatible", "http"];

    [Theory]
    [MemberData(nameof(ConfiguredKinds))]
    public async Task A_provider_configured_on_127_0_0_1_works_without_an_outbound_allow_list(string kind)
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions(), Ct);
        await using var kit = Build(fake, fake.ProviderConfiguration("p", kind), allow: [], spied: ["p"]);

        var answer = await kit.CallAsync("p", Company("globex.example", Field("employees", Enrichflow.Providers.ReturnFieldType.Int)));

        Assert.True(answer.Outcome == Enrichflow.Providers.EnrichmentOutcome.Found, answer.Reason);
        Assert.True(fake.TotalCalls >= 1);
    }

    [Theory]
    [MemberData(nameof(ConfiguredKinds))]
    public async Task A_providers_302_to_another_loopback_port_is_a_failure_naming_the_redirect_and_is_not_followed(string kind)
    {
        await using var target = await FakeProviderServer.StartAsync(new FakeProviderOptions(), Ct);
        await using var redirector = await FakeRedirector.StartAsync(Ct, everythingTo: target.BaseUrl);
        var settings = target.ProviderConfiguration("p", kind);
        settings["Providers:p:BaseUrl"] = redirector.BaseUrl.AbsoluteUri;
        settings["Providers:p:UseAsyncJobs"] = kind == "sixtyfour" ? "false" : null;
        // The target's port is allowed: only the client's refusal to follow redirects keeps the key from it.
        await using var kit = Build(target, settings, allow: ["127.0.0.1/32"], spied: ["p"]);

        var answer = await kit.CallAsync("p", Company("globex.example", Field("employees", Enrichflow.Providers.ReturnFieldType.Int)));

        Assert.Equal(Enrichflow.Providers.EnrichmentOutcome.Failed, answer.Outcome);
        Assert.Contains("HTTP 302, a redirect to http://127.0.0.1:" + target.BaseUrl.Port + "/", answer.Reason, StringComparison.Ordinal);
        Assert.Contains("not followed", answer.Reason, StringComparison.Ordinal);
        Assert.Equal(1, redirector.Requests);
        Assert.Equal(0, target.TotalCalls);
    }

    [Fact]
    public async Task A_website_rows_url_to_the_loopback_host_of_a_configured_provider_is_still_refused()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions(), Ct);
        var settings = fake.ProviderConfiguration("s64", "sixtyfour");
        foreach (var (key, value) in fake.ProviderConfiguration("web", "website"))
        {
            settings[key] = value;
        }

        await using var kit = Build(fake, settings, allow: [], spied: ["web"]);

        var site = fake.SiteUrl("acme.example").AbsoluteUri;
        var page = await kit.CallAsync("web", Request(Enrichflow.Providers.EnrichmentOperation.EnrichCompany, new Dictionary<string, string> { ["website"] = site }, [Field("description")]));
        var enriched = await kit.CallAsync("s64", Company("globex.example", Field("employees", Enrichflow.Providers.ReturnFieldType.Int)));

        Assert.Equal(Enrichflow.Providers.EnrichmentOutcome.Failed, page.Outcome);
        Assert.Equal($"Outbound URL http://127.0.0.1:{fake.BaseUrl.Port}/ is refused: 127.0.0.1 is a loopback address; allow it with Outbound:Allow.", page.Reason);
        Assert.Equal(0, kit.Spy.Count);
        Assert.Equal(Enrichflow.Providers.EnrichmentOutcome.Found, enriched.Outcome);
    }
}

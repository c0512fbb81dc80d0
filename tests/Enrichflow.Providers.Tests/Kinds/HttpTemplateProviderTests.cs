using Enrichflow.Providers;
using Enrichflow.Fakes;
using static Enrichflow.Providers.Tests.Kinds.ProviderKit;

namespace Enrichflow.Providers.Tests.Kinds;

public sealed class HttpTemplateProviderTests
{
    [Fact]
    public async Task A_templated_GET_maps_fields_by_json_path_and_by_top_level_name()
    {
        await using var kit = await StartAsync("vendor", "http");
        var request = Request(
            EnrichmentOperation.EnrichCompany,
            new Dictionary<string, string> { ["website"] = "https://www.Acme.example/about" },
            [Field("company_name"), Field("employees", ReturnFieldType.Int), Field("founded_year", ReturnFieldType.Int), Field("country"), Field("first_person"), Field("request_id"), Field("unmapped")]);

        var answer = await kit.CallAsync("vendor", request);

        var sent = kit.Fake.LastRequest("/v1/companies")!;
        Assert.Equal("?domain=acme.example", sent.Query);
        Assert.Equal("fake-key", sent.Headers["X-Api-Key"]);
        Assert.Equal(EnrichmentOutcome.Found, answer.Outcome);
        Assert.Equal("Acme", answer.Fields["company_name"]!.ToString());
        Assert.InRange(answer.Fields["founded_year"]!.GetValue<long>(), 1950, 2020);
        Assert.Equal("US", answer.Fields["country"]!.ToString());
        Assert.NotNull(answer.Fields["first_person"]);
        Assert.StartsWith("req_", answer.Fields["request_id"]!.ToString(), StringComparison.Ordinal);
        Assert.Null(answer.Fields["unmapped"]);
    }

    [Fact]
    public async Task Values_are_url_encoded_in_the_path_and_json_escaped_in_the_body()
    {
        await using var kit = await StartAsync("vendor", "http",
            ("Method", "POST"),
            ("Path", "v1/companies/search?q={{company_name}}"),
            ("Body", """{"name": "{{company_name}}", "domain": "{{domain}}"}"""));
        var request = Request(EnrichmentOperation.EnrichCompany, new Dictionary<string, string> { ["company_name"] = "Ben & \"Jerry's\"", ["domain"] = "benjerry.example" }, [Field("company_name")]);

        var answer = await kit.CallAsync("vendor", request);

        var sent = kit.Fake.LastRequest("/v1/companies/search")!;
        Assert.Equal("?q=Ben%20%26%20%22Jerry%27s%22", sent.Query);
        Assert.Equal("Ben & \"Jerry's\"", sent.Body!["name"]!.ToString());
        Assert.Equal(EnrichmentOutcome.Found, answer.Outcome);
    }

    [Fact]
    public async Task A_404_is_not_found_without_retries()
    {
        await using var kit = await StartAsync(new FakeProviderOptions { HitPercent = 0 }, "vendor", "http");

        var answer = await kit.CallAsync("vendor", Company("nobody.example", Field("employees", ReturnFieldType.Int)));

        Assert.Equal(EnrichmentOutcome.NotFound, answer.Outcome);
        Assert.Equal("HTTP 404: no company for nobody.example", answer.Reason);
        Assert.Equal(1, kit.Fake.CallsFor("nobody.example"));
    }

    [Fact]
    public async Task A_row_without_the_key_the_path_needs_is_not_found_without_a_request()
    {
        await using var kit = await StartAsync("vendor", "http");

        var answer = await kit.CallAsync("vendor", Request(EnrichmentOperation.EnrichCompany, new Dictionary<string, string> { ["company_name"] = "Acme" }, [Field("employees", ReturnFieldType.Int)]));

        Assert.Equal(EnrichmentOutcome.NotFound, answer.Outcome);
        Assert.Equal("the input has no domain", answer.Reason);
        Assert.False(answer.Billable);
        Assert.Equal(0, kit.Fake.TotalCalls);
    }

    [Fact]
    public async Task A_mapped_value_of_the_wrong_type_fails_naming_the_field()
    {
        await using var kit = await StartAsync("vendor", "http");
        kit.Fake.Script("acme.example", FakeReply.SchemaViolation);

        var answer = await kit.CallAsync("vendor", Company("acme.example", Field("employees", ReturnFieldType.Int)));

        Assert.Equal("field 'employees' should be int but was \"lots\"", answer.Reason);
    }

    [Fact]
    public async Task A_wrong_key_throws_refused_with_the_vendors_message()
    {
        await using var kit = await StartAsync("vendor", "http", ("ApiKey", "nope"));

        var e = await Assert.ThrowsAsync<ProviderRefusedException>(() => kit.CallAsync("vendor", Company("acme.example", Field("employees", ReturnFieldType.Int))));

        Assert.Equal("provider 'vendor' refused the request (401): Invalid API key", e.Message);
    }
}

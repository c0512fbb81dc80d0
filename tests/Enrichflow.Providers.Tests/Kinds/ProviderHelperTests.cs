using System.Text.Json.Nodes;
using Enrichflow.Providers;
using Enrichflow.Providers.Kinds;
using static Enrichflow.Providers.Tests.Kinds.ProviderKit;

namespace Enrichflow.Providers.Tests.Kinds;

public sealed class ProviderHelperTests
{
    private static readonly JsonNode Document = JsonNode.Parse("""{"data": {"items": [{"name": "a"}, {"name": "b"}], "a.b": 1, "n": null}}""")!;

    [Theory]
    [InlineData("$.data.items[0].name", "\"a\"")]
    [InlineData("data.items[1].name", "\"b\"")]
    [InlineData("data.items[-1].name", "\"b\"")]
    [InlineData("$['data']['a.b']", "1")]
    [InlineData("data.items[5].name", null)]
    [InlineData("data.missing.deeper", null)]
    [InlineData("data.n", null)]
    public void Json_paths_read_dots_indexes_and_quoted_names(string path, string? expected) =>
        Assert.Equal(expected, JsonPath.Parse(path).Read(Document)?.ToJsonString());

    [Theory]
    [InlineData("data..x")]
    [InlineData("items[0")]
    [InlineData("$")]
    [InlineData("items[*]")]
    public void Bad_json_paths_are_refused(string path) => Assert.False(JsonPath.TryParse(path, out _, out _));

    [Fact]
    public void Values_are_fitted_to_their_types_losslessly_or_refused()
    {
        static string? Fit(ReturnFieldType type, string json) =>
            FieldValues.TryCoerce(Field("x", type), JsonNode.Parse(json), out var value, out var error) ? value?.ToJsonString() : "error: " + error;

        Assert.Equal("1200", Fit(ReturnFieldType.Int, "\"1,200\""));
        Assert.Equal("12", Fit(ReturnFieldType.Int, "12.0"));
        Assert.Equal("4.5", Fit(ReturnFieldType.Float, "\"4.5\""));
        Assert.Equal("true", Fit(ReturnFieldType.Bool, "\"True\""));
        Assert.Equal("\"42\"", Fit(ReturnFieldType.Str, "42"));
        Assert.Equal("""["a"]""", Fit(ReturnFieldType.ListStr, "\"a\""));
        Assert.Equal("[1,2]", Fit(ReturnFieldType.ListInt, """["1", 2, null]"""));
        Assert.Null(Fit(ReturnFieldType.Int, "\"  \""));
        Assert.Null(Fit(ReturnFieldType.Dict, "null"));
        Assert.Equal("error: field 'x' should be int but was \"abc\"", Fit(ReturnFieldType.Int, "\"abc\""));
        Assert.Equal("error: field 'x' should be int but was 3.5", Fit(ReturnFieldType.Int, "3.5"));
        Assert.Equal("error: field 'x' should be bool but was \"yes\"", Fit(ReturnFieldType.Bool, "\"yes\""));
        Assert.Equal("error: field 'x' should be dict but was [1]", Fit(ReturnFieldType.Dict, "[1]"));
    }

    [Fact]
    public void Templates_url_encode_in_paths_json_escape_in_bodies_and_flatten_headers()
    {
        static string? Value(string name) => name switch
        {
            "company_name" => "A&B \"Co\"/x",
            "api_key" => "k\r\nX-Evil: 1",
            _ => null,
        };

        Assert.Equal("v1/search?q=A%26B%20%22Co%22%2Fx&d=", ProviderTemplate.RenderUrl("v1/search?q={{company_name}}&d={{ domain }}", Value));
        Assert.Equal("""{"q": "A\u0026B \u0022Co\u0022/x"}""", ProviderTemplate.RenderJson("""{"q": "{{company_name}}"}""", Value));
        Assert.Equal("Bearer k X-Evil: 1", ProviderTemplate.RenderHeader("Bearer {{api_key}}", Value));
        Assert.Equal(["domian"], ProviderTemplate.UnknownNamesIn("{{domian}} {{domain}} {{api_key}}"));
    }

    [Theory]
    [InlineData("https://www.Acme.com:443/about?x=1", "acme.com")]
    [InlineData("acme.com.", "acme.com")]
    [InlineData("ADA@Acme.com", "acme.com")]
    [InlineData("  ", null)]
    public void Domains_are_normalized(string text, string? domain) => Assert.Equal(domain, InputKeys.NormalizeDomain(text));

    [Fact]
    public void Names_and_linkedin_urls_are_normalized()
    {
        Assert.Equal("ada lovelace", InputKeys.NormalizeName("  Ada \t LOVELACE "));
        Assert.Equal("linkedin.com/company/acme", InputKeys.NormalizeLinkedin("https://www.LinkedIn.com/company/acme/?trk=1"));
    }

    [Fact]
    public void Sixtyfour_answers_with_numeric_strings_are_accepted_and_words_for_numbers_fail_naming_the_field()
    {
        var request = Company("acme.example", Field("employees", ReturnFieldType.Int), Field("public", ReturnFieldType.Bool));

        var lenient = SixtyfourProvider.MapEnrichment(JsonNode.Parse("""{"structured_data": {"employees": "1,200", "public": "true"}, "references": ["https://acme.example/"]}"""), request);
        var strict = SixtyfourProvider.MapEnrichment(JsonNode.Parse("""{"structured_data": {"employees": "abc", "public": true}}"""), request);
        var shapeless = SixtyfourProvider.MapEnrichment(JsonNode.Parse("""{"detail": "ok"}"""), request);

        Assert.Equal(1200, lenient.Fields["employees"]!.GetValue<long>());
        Assert.Equal(["https://acme.example/"], lenient.References!.Keys);
        Assert.Equal("field 'employees' should be int but was \"abc\"", strict.Reason);
        Assert.Equal("answered without structured_data", shapeless.Reason);
    }
}

using Enrichflow.Providers;
using Enrichflow.Providers.Kinds;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using static Enrichflow.Providers.Tests.Kinds.ProviderKit;

namespace Enrichflow.Providers.Tests.Kinds;

public sealed class LookupProviderTests : IDisposable
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("enrichflow-lookup-").FullName;

    public void Dispose() => Directory.Delete(_dataDirectory, recursive: true);

    private ProviderRegistry Registry(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();
        return new ServiceCollection()
            .AddEnrichflowProviders(configuration.GetSection("Providers"), _dataDirectory)
            .BuildServiceProvider()
            .GetRequiredService<ProviderRegistry>();
    }

    [Fact]
    public async Task With_no_provider_configured_the_sample_lookup_enriches_well_known_companies_offline()
    {
        var registry = Registry();
        var sample = registry.Find("sample")!;

        var answer = await sample.CallAsync(Request(
            EnrichmentOperation.EnrichCompany,
            new Dictionary<string, string> { ["website"] = "https://www.Microsoft.com/en-us/" },
            [Field("company_name"), Field("employee_count", ReturnFieldType.Int), Field("founded_year", ReturnFieldType.Int), Field("country"), Field("missing_column")]), Ct);

        Assert.Equal(["sample", "sample_people"], registry.Names);
        Assert.Equal("sample", registry.DefaultName);
        Assert.True(sample.IsLocal);
        Assert.Equal(0m, sample.Limits.CreditsPerCall);
        Assert.Equal(EnrichmentOutcome.Found, answer.Outcome);
        Assert.Equal("Microsoft", answer.Fields["company_name"]!.ToString());
        Assert.Equal(1975, answer.Fields["founded_year"]!.GetValue<long>());
        Assert.True(answer.Fields["employee_count"]!.GetValue<long>() > 100_000);
        Assert.Null(answer.Fields["missing_column"]);
        Assert.False(answer.Billable);
    }

    [Fact]
    public async Task An_unknown_key_and_a_row_without_the_key_are_not_found()
    {
        var sample = Registry().Find("sample")!;

        var unknown = await sample.CallAsync(Company("unknown.example", Field("company_name")), Ct);
        var keyless = await sample.CallAsync(Request(EnrichmentOperation.EnrichCompany, new Dictionary<string, string> { ["company_name"] = "Microsoft" }, [Field("company_name")]), Ct);

        Assert.Equal(EnrichmentOutcome.NotFound, unknown.Outcome);
        Assert.Equal("unknown.example is not in companies.csv", unknown.Reason);
        Assert.Equal("the input has no domain", keyless.Reason);
    }

    [Fact]
    public async Task An_ndjson_table_keyed_by_email_keeps_json_types_and_parses_lists_from_text()
    {
        await File.WriteAllTextAsync(Path.Combine(_dataDirectory, "people.ndjson"), """
            {"email": "Ada@Example.com", "title": "Countess", "age": 36, "skills": "math; poetry", "langs": ["en", "fr"]}

            {"email": "grace@example.com", "title": "Admiral", "age": "85"}
            """, Ct);
        var registry = Registry(("Providers:people:Kind", "lookup"), ("Providers:people:Path", "people.ndjson"), ("Providers:people:KeyField", "email"), ("Providers:people:Operations:0", "enrich_person"));
        var people = registry.Find("PEOPLE")!;

        var ada = await people.CallAsync(Person("Ada", " ada@example.COM ", Field("title"), Field("age", ReturnFieldType.Int), Field("skills", ReturnFieldType.ListStr), Field("langs", ReturnFieldType.ListStr)), Ct);
        var grace = await people.CallAsync(Person("Grace", "grace@example.com", Field("age", ReturnFieldType.Int)), Ct);

        Assert.True(people.Supports(EnrichmentOperation.EnrichPerson));
        Assert.False(people.Supports(EnrichmentOperation.EnrichCompany));
        Assert.Equal("people", registry.DefaultName);
        Assert.Equal("Countess", ada.Fields["title"]!.ToString());
        Assert.Equal(36, ada.Fields["age"]!.GetValue<long>());
        Assert.Equal("""["math","poetry"]""", ada.Fields["skills"]!.ToJsonString());
        Assert.Equal("""["en","fr"]""", ada.Fields["langs"]!.ToJsonString());
        Assert.Equal(85, grace.Fields["age"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_cell_that_is_not_of_the_field_type_fails_naming_the_field()
    {
        await File.WriteAllTextAsync(Path.Combine(_dataDirectory, "companies.csv"), "domain,employees\nacme.example,many\n", Ct);
        var registry = Registry(("Providers:mine:Kind", "lookup"), ("Providers:mine:Path", "companies.csv"), ("Providers:mine:KeyField", "domain"));

        var answer = await registry.Find("mine")!.CallAsync(Company("acme.example", Field("employees", ReturnFieldType.Int)), Ct);

        Assert.Equal(EnrichmentOutcome.Failed, answer.Outcome);
        Assert.Equal("companies.csv: field 'employees' should be int but was \"many\"", answer.Reason);
    }
}

using Enrichflow.Providers;
using Enrichflow.Providers.Kinds;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Enrichflow.Providers.Tests.Kinds;

public sealed class ProviderConfigurationTests
{
    private static readonly string DataDirectory = Path.GetTempPath();

    private static ProvidersOptions Read(params (string Key, string? Value)[] settings) =>
        ProvidersOptions.Read(
            new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, s.Value))).Build().GetSection("Providers"),
            DataDirectory);

    [Fact]
    public void Validation_lists_every_problem_with_its_configuration_path()
    {
        var configuration = Read(
            ("Providers:s64:Kind", "sixtyfour"),
            ("Providers:s64:ApiKey", "${SIXTYFOUR_API_KEY}"),
            ("Providers:s64:RequestsPerMinute", "-5"),
            ("Providers:s64:TimeoutSeconds", "soon"),
            ("Providers:llm:Kind", "openai_compatible"),
            ("Providers:llm:MaxAttempts", "0"),
            ("Providers:vendor:Kind", "http"),
            ("Providers:vendor:BaseUrl", "ftp://vendor.example"),
            ("Providers:vendor:Path", "v1/companies?domain={{domian}}"),
            ("Providers:vendor:Fields:employees", "data.items[x]"),
            ("Providers:table:Kind", "lookup"),
            ("Providers:table:Path", "nowhere/companies.csv"),
            ("Providers:table:KeyField", "phone"),
            ("Providers:odd:Kind", "magic"),
            ("Providers:odd:RequestPerMinute", "5"));

        var problems = ProvidersOptionsValidator.Problems(configuration);

        Assert.Contains("Providers:s64:ApiKey refers to ${SIXTYFOUR_API_KEY}, which is not set; set the environment variable SIXTYFOUR_API_KEY.", problems);
        Assert.Contains("Providers:s64:RequestsPerMinute -5 must not be negative (0 means unlimited).", problems);
        Assert.Contains("Providers:s64:TimeoutSeconds 'soon' is not a number.", problems);
        Assert.Contains("Providers:llm:BaseUrl is missing; give the API's address (like https://api.example.com/v1/).", problems);
        Assert.Contains("Providers:llm:Model is missing; name the model to call (for example gpt-4o-mini or llama3.1).", problems);
        Assert.Contains("Providers:llm:MaxAttempts 0 must be at least 1 (1 means no retries).", problems);
        Assert.Contains("Providers:vendor:BaseUrl 'ftp://vendor.example' is not an absolute http or https URL.", problems);
        Assert.Contains(problems, p => p.StartsWith("Providers:vendor:Path uses {{domian}}, which is not a placeholder; use {{company_name}}, {{domain}}", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Providers:vendor:Fields:employees 'data.items[x]' has '[x]'", StringComparison.Ordinal));
        Assert.Contains("Providers:table:KeyField 'phone' is not a key field; use one of domain, email, name, company_name, linkedin.", problems);
        Assert.Contains(problems, p => p.StartsWith("Providers:table:Path 'nowhere/companies.csv' was not found (looked at ", StringComparison.Ordinal));
        Assert.Contains("Providers:odd:Kind 'magic' is not a provider kind; use one of sixtyfour, openai_compatible, http, website, lookup.", problems);
        Assert.Contains(problems, p => p.StartsWith("Providers:odd:RequestPerMinute is not a provider setting; the settings are ", StringComparison.Ordinal));
        Assert.Equal(13, problems.Count);
    }

    [Fact]
    public void A_sixtyfour_provider_without_a_key_is_a_problem_and_an_openai_compatible_one_is_not()
    {
        var problems = ProvidersOptionsValidator.Problems(Read(
            ("Providers:s64:Kind", "sixtyfour"),
            ("Providers:local:Kind", "openai_compatible"),
            ("Providers:local:BaseUrl", "http://localhost:11434/v1/"),
            ("Providers:local:Model", "llama3.1")));

        Assert.Equal(["Providers:s64:ApiKey is missing; Sixtyfour needs an API key (for example \"${SIXTYFOUR_API_KEY}\")."], problems);
    }

    [Fact]
    public void A_bad_configuration_stops_the_registry_with_every_problem()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([KeyValuePair.Create("Providers:x:Kind", (string?)"lookup")]).Build();
        using var services = new ServiceCollection().AddEnrichflowProviders(configuration.GetSection("Providers"), DataDirectory).BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<ProviderRegistry>());

        Assert.Equal(
            ["Providers:x:KeyField is missing; use one of domain, email, name, company_name, linkedin.", "Providers:x:Path is missing; give the CSV or NDJSON file of the table."],
            e.Failures);
    }

    [Fact]
    public void Each_kind_has_its_defaults()
    {
        var configuration = Read(
            ("Providers:s64:Kind", "sixtyfour"),
            ("Providers:s64:ApiKey", "k"),
            ("Providers:web:Kind", "website"),
            ("Providers:web:Operations", "enrich_company, enrich_person"),
            ("Providers:sample:Kind", "lookup"));

        var s64 = ResolvedProviderOptions.Resolve("s64", configuration.Providers["s64"]);
        var web = ResolvedProviderOptions.Resolve("web", configuration.Providers["web"]);
        var lookup = ResolvedProviderOptions.Resolve("sample", configuration.Providers["sample"]);

        Assert.Equal(new ProviderLimits(500, 2500, TimeSpan.FromSeconds(900), 1m), s64.Limits);
        Assert.Equal("https://api.sixtyfour.ai/", s64.BaseUri!.AbsoluteUri);
        Assert.Equal(4, s64.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(1), s64.RetryDelay);
        Assert.Equal(8, s64.Operations.Count);
        Assert.Equal(new ProviderLimits(60, 20, TimeSpan.FromSeconds(60), 0m), web.Limits);
        Assert.Equal([EnrichmentOperation.EnrichCompany, EnrichmentOperation.EnrichPerson], web.Operations.Order());
        Assert.Equal(new ProviderLimits(0, 0, TimeSpan.FromSeconds(60), 0m), lookup.Limits);
    }

    [Fact]
    public void Configured_providers_replace_the_sample_and_the_first_is_the_default()
    {
        var configuration = Read(("Providers:beta:Kind", "website"), ("Providers:alpha:Kind", "website"));
        using var services = new ServiceCollection()
            .AddEnrichflowProviders(new ConfigurationBuilder().AddInMemoryCollection(configuration.Configured.Keys.Select(k => KeyValuePair.Create($"Providers:{k}:Kind", (string?)"website"))).Build().GetSection("Providers"), DataDirectory)
            .BuildServiceProvider();
        var registry = services.GetRequiredService<ProviderRegistry>();

        Assert.False(configuration.IsDefault);
        Assert.Equal(["alpha", "beta"], registry.Names);
        Assert.Equal("alpha", registry.DefaultName);
        Assert.Null(registry.Find("sample"));
        Assert.Equal("website", registry.Find("Beta")!.Kind.ToWire());
    }

    [Fact]
    public void Base_urls_keep_their_last_segment_for_relative_paths()
    {
        var settings = ResolvedProviderOptions.Resolve("llm", new ProviderOptions { Kind = "openai_compatible", BaseUrl = "https://api.example.com/v1" });

        Assert.Equal("https://api.example.com/v1/chat/completions", settings.Url("/chat/completions").AbsoluteUri);
        Assert.Equal("https://other.example/x", settings.Url("https://other.example/x").AbsoluteUri);
    }
}

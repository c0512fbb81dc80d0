namespace Enrichflow.Providers.Kinds;

/// <summary>The provider kinds (API.md §8), their defaults, and the names of operations in configuration.</summary>
public static class ProviderKinds
{
    public const string Sixtyfour = "sixtyfour";
    public const string OpenAiCompatible = "openai_compatible";
    public const string Http = "http";
    public const string Website = "website";
    public const string Lookup = "lookup";

    /// <summary>Every kind, in the order messages list them.</summary>
    public static readonly IReadOnlyList<string> All = [Sixtyfour, OpenAiCompatible, Http, Website, Lookup];

    /// <summary>Sixtyfour's public API, the default <c>BaseUrl</c> of a sixtyfour provider.</summary>
    public const string SixtyfourBaseUrl = "https://api.sixtyfour.ai/";

    /// <summary>The name of the provider that exists when none is configured: a lookup over the shipped samples.</summary>
    public const string SampleName = "sample";

    /// <summary>The shipped people table's provider (with <see cref="SampleName"/> when nothing is configured).</summary>
    public const string SamplePeopleName = "sample_people";

    public static bool IsKnown(string? kind) => kind is not null && All.Contains(kind, StringComparer.Ordinal);

    /// <summary>True for the kinds that call a remote service through a named <see cref="HttpClient"/>.</summary>
    public static bool IsRemote(string? kind) => kind is Sixtyfour or OpenAiCompatible or Http or Website;

    public static int DefaultRequestsPerMinute(string? kind) => kind switch
    {
        Sixtyfour => 500,
        Lookup => 0,
        _ => 60,
    };

    public static int DefaultMaxConcurrency(string? kind) => kind switch
    {
        // Sixtyfour: 500 requests a minute that take up to minutes each (P95 about 5) keep thousands in flight.
        Sixtyfour => 2500,
        Lookup => 0,
        _ => 20,
    };

    public static double DefaultTimeoutSeconds(string? kind) => kind == Sixtyfour ? 900 : 60;

    public static decimal DefaultCreditsPerCall(string? kind) => kind is Website or Lookup ? 0m : 1m;

    public static IReadOnlyList<EnrichmentOperation> DefaultOperations(string? kind) => kind switch
    {
        Sixtyfour => [EnrichmentOperation.EnrichCompany, EnrichmentOperation.EnrichPerson, EnrichmentOperation.FindEmail, EnrichmentOperation.FindPhone],
        OpenAiCompatible => [EnrichmentOperation.EnrichCompany, EnrichmentOperation.EnrichPerson],
        _ => [EnrichmentOperation.EnrichCompany],
    };

    /// <summary>The configuration names of the operations, in <see cref="EnrichmentOperation"/> order.</summary>
    public static readonly IReadOnlyList<string> OperationNames = ["enrich_company", "enrich_person", "find_email", "find_phone"];

    public static EnrichmentOperation? ParseOperation(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "enrich_company" or "company_enrichment" => EnrichmentOperation.EnrichCompany,
        "enrich_person" or "enrich_lead" or "lead_enrichment" => EnrichmentOperation.EnrichPerson,
        "find_email" => EnrichmentOperation.FindEmail,
        "find_phone" => EnrichmentOperation.FindPhone,
        _ => null,
    };

    public static string OperationName(EnrichmentOperation operation) => OperationNames[(int)operation];
}

using System.ComponentModel;
using System.Text.Json;

using Enrichflow.Providers;
using Enrichflow.Providers.Kinds;

namespace Enrichflow.Blocks.Enrichment;

/// <summary>Specs of <c>enrich_company</c> (docs/api.md §5).</summary>
public sealed record EnrichCompanySpecs(
    [property: Description("The column holding the company's name.")] string? CompanyField = null,
    [property: Description("The column holding the company's website or domain.")] string? WebsiteField = null,
    [property: Description("The columns to add: {column: description} or {column: {description, type}}; type is str, int, float, bool, list[str], list[int] or dict.")] Dictionary<string, JsonElement>? ReturnFields = null,
    [property: Description("A provider named in the server's configuration, or a list of them tried in order until every return field is filled (a waterfall).")] JsonElement? Provider = null,
    [property: Description("Guidance for the provider's research.")] string? ResearchPlan = null,
    [property: Description("Also find people at the company (adds a 'people' list).")] bool FindPeople = false,
    [property: Description("Which people to find.")] string? PeopleFocusPrompt = null);

/// <summary>Specs of <c>enrich_person</c> (docs/api.md §5).</summary>
public sealed record EnrichPersonSpecs(
    [property: Description("The column holding the person's full name.")] string? NameField = null,
    [property: Description("The column holding the person's email address.")] string? EmailField = null,
    [property: Description("The column holding the person's LinkedIn URL.")] string? LinkedinField = null,
    [property: Description("The column holding the person's company.")] string? CompanyField = null,
    [property: Description("The columns to add: {column: description} or {column: {description, type}}.")] Dictionary<string, JsonElement>? ReturnFields = null,
    [property: Description("A provider name, or a list of them (a waterfall).")] JsonElement? Provider = null,
    [property: Description("Guidance for the provider's research.")] string? ResearchPlan = null);

/// <summary>Specs of <c>find_email</c> (docs/api.md §5).</summary>
public sealed record FindEmailSpecs(
    [property: Description("The column holding the person's full name.")] string NameField = "full_name",
    [property: Description("The column holding the person's company.")] string? CompanyField = "company",
    [property: Description("The column holding the company's domain (used with or instead of company_field).")] string? DomainField = null,
    [property: Description("PROFESSIONAL (work address) or PERSONAL.")] string Mode = "PROFESSIONAL",
    [property: Description("A provider name, or a list of them (a waterfall).")] JsonElement? Provider = null);

/// <summary>Specs of <c>find_phone</c> (docs/api.md §5).</summary>
public sealed record FindPhoneSpecs(
    [property: Description("The column holding the person's full name.")] string NameField = "full_name",
    [property: Description("The column holding the person's company.")] string? CompanyField = "company",
    [property: Description("A provider name, or a list of them (a waterfall).")] JsonElement? Provider = null);

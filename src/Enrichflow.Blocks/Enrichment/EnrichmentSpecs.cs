using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace Enrichflow.Blocks.Enrichment;

/// <summary>Specs of <c>enrich_company</c> (docs/api.md §5, §5.2).</summary>
public sealed record EnrichCompanySpecs(
    [property: Description("The column holding the company's name; without it (and website_field) company_name, company or name, and the row's other columns are sent.")] string? CompanyField = null,
    [property: Description("The column holding the company's website or domain; without it website (and domain).")] string? WebsiteField = null,
    [property: Description("The columns to add: {column: description} or {column: {description, type}}; type is str, int, float, bool, list[str], list[int] or dict.")] Dictionary<string, JsonElement>? ReturnFields = null,
    [property: Description("A provider named in the server's configuration, or a list of them tried in order until every return field is filled (a waterfall).")] JsonElement? Provider = null,
    [property: Description("Guidance for the provider's research.")] string? ResearchPlan = null,
    [property: Description("Also find people at the company (adds a 'people' list).")] bool FindPeople = false,
    [property: Description("Which people to find.")] string? PeopleFocusPrompt = null,
    [property: Description("With find_people: the fields to find for each person, {field: description} or {field: {description, type}} (Sixtyfour's lead_struct).")] Dictionary<string, JsonElement>? PeopleFields = null,
    [property: Description("Quality and cost tier for providers that take one (Sixtyfour): low, medium or high.")][property: AllowedValues("low", "medium", "high")] string? Tier = null,
    [property: Description("Whether an answer replaces a non-empty value the row already has in a column the block writes: never, if_found (default) or always; an empty answer never blanks one.")][property: AllowedValues("never", "if_found", "always")] string? Overwrite = null);

/// <summary>Specs of <c>enrich_person</c> (docs/api.md §5, §5.2).</summary>
public sealed record EnrichPersonSpecs(
    [property: Description("The column holding the person's full name; without any *_field spec full_name, name or first_name + last_name, and the row's other columns are sent.")] string? NameField = null,
    [property: Description("The column holding the person's email address (else email).")] string? EmailField = null,
    [property: Description("The column holding the person's LinkedIn URL (else linkedin).")] string? LinkedinField = null,
    [property: Description("The column holding the person's company (else company, company_name).")] string? CompanyField = null,
    [property: Description("The columns to add: {column: description} or {column: {description, type}}.")] Dictionary<string, JsonElement>? ReturnFields = null,
    [property: Description("A provider name, or a list of them (a waterfall).")] JsonElement? Provider = null,
    [property: Description("Guidance for the provider's research.")] string? ResearchPlan = null,
    [property: Description("Quality and cost tier for providers that take one (Sixtyfour): low, medium, high or xhigh.")][property: AllowedValues("low", "medium", "high", "xhigh")] string? Tier = null,
    [property: Description("Whether an answer replaces a non-empty value the row already has: never, if_found (default) or always; an empty answer never blanks one.")][property: AllowedValues("never", "if_found", "always")] string? Overwrite = null);

/// <summary>Specs of <c>find_email</c> (docs/api.md §5, §5.2).</summary>
public sealed record FindEmailSpecs(
    [property: Description("The column holding the person's full name; without any *_field spec name, full_name or first_name + last_name, and the row's other columns are sent.")] string? NameField = null,
    [property: Description("The column holding the person's company (else company, company_name).")] string? CompanyField = null,
    [property: Description("The column holding the company's domain (else domain, company_domain, or the host of company_website).")] string? DomainField = null,
    [property: Description("PROFESSIONAL (work address) or PERSONAL.")][property: AllowedValues("PROFESSIONAL", "PERSONAL")] string Mode = "PROFESSIONAL",
    [property: Description("A provider name, or a list of them (a waterfall).")] JsonElement? Provider = null,
    [property: Description("Whether a found address replaces a non-empty email the row already has: never, if_found (default) or always.")][property: AllowedValues("never", "if_found", "always")] string? Overwrite = null);

/// <summary>Specs of <c>find_phone</c> (docs/api.md §5, §5.2).</summary>
public sealed record FindPhoneSpecs(
    [property: Description("The column holding the person's full name; without any *_field spec name, full_name or first_name + last_name, and the row's other columns are sent.")] string? NameField = null,
    [property: Description("The column holding the person's company (else company, company_name).")] string? CompanyField = null,
    [property: Description("A provider name, or a list of them (a waterfall).")] JsonElement? Provider = null,
    [property: Description("Whether a found number replaces a non-empty phone the row already has: never, if_found (default) or always.")][property: AllowedValues("never", "if_found", "always")] string? Overwrite = null);

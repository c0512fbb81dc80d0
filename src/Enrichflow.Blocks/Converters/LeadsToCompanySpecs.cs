namespace Enrichflow.Blocks.Converters;

/// <summary>Specs of <c>leads_to_company</c> (docs/api.md §5).</summary>
/// <param name="CompanyField">The lead column that names the company; when absent, <c>company</c>, else <c>company_name</c> (what <c>company_to_leads</c> writes).</param>
/// <param name="Prefix">Lead columns with this prefix are company columns; they are carried without it.</param>
public sealed record LeadsToCompanySpecs(string? CompanyField = null, string Prefix = "company_");

using System.ComponentModel;

namespace Enrichflow.Blocks.Converters;

/// <summary>Specs of <c>leads_to_company</c> (docs/api.md §5).</summary>
public sealed record LeadsToCompanySpecs(
    [property: Description("The lead column that names the company; when absent, company, else company_name (what company_to_leads writes).")] string? CompanyField = null,
    [property: Description("Lead columns with this prefix are company columns; they are carried without it.")] string Prefix = "company_");

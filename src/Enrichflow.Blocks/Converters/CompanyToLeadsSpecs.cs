using System.ComponentModel;

namespace Enrichflow.Blocks.Converters;

/// <summary>Specs of <c>company_to_leads</c> (docs/api.md §5).</summary>
/// <param name="PeopleField">The COMPANY column holding the list of people.</param>
/// <param name="Prefix">Prefix of the company columns carried onto each lead (<c>company_</c> gives <c>company_name</c>, ...).</param>
public sealed record CompanyToLeadsSpecs(
    [property: Description("The column holding the company's people: a list of objects (one lead each) or of names; a JSON text holding such a list is read too.")] string PeopleField = "people",
    [property: Description("Prefix of the company columns carried onto each lead; a column already starting with it keeps its name.")] string Prefix = "company_");

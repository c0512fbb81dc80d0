using Enrichflow.Core.Blocks;

namespace Enrichflow.Blocks.Converters;

/// <summary>
/// <c>leads_to_company</c> (LEAD → COMPANY): one COMPANY row per distinct company (compared trimmed and
/// lower-cased), built from the company's first lead in input order: <c>name</c> and <c>company_name</c> from the
/// company column, the lead's <c>company_</c>-prefixed columns without the prefix, and the lead's <c>domain</c> and
/// <c>website</c> where those give none, so <c>enrich_company</c> can follow with only <c>return_fields</c>. Leads
/// without a company go to rejects.
/// </summary>
public sealed class LeadsToCompanyBlockType : BlockType<LeadsToCompanySpecs>
{
    public override string Name => "leads_to_company";

    public override string SpecsExample => """
        {"company_field": "company", "prefix": "company_"}
        """;

    public override bool RunsOnSample => true;

    public override string Description =>
        "Turns leads into one COMPANY row per distinct company (first lead wins): name and company_name from the company column, " +
        "company_ columns carried without the prefix (company_domain as domain, ...), else the lead's domain and website; " +
        "companies are spilled to hash-partitioned blobs, so memory does not grow with the run.";

    public override DataframeType Takes => DataframeType.Lead;

    public override DataframeType? Yields => DataframeType.Company;

    protected override CompiledBlock? Compile(LeadsToCompanySpecs specs, BlockCompileContext context)
    {
        if (specs.CompanyField is not null && string.IsNullOrWhiteSpace(specs.CompanyField))
        {
            context.AddError("company_field", $"Block '{context.Definition.BlockId}': company_field must name a column.");
        }

        if (specs.Prefix is null)
        {
            context.AddError("prefix", $"Block '{context.Definition.BlockId}': prefix must be a string (it may be empty).");
        }

        return new LeadsToCompanyBlock(specs.CompanyField, specs.Prefix ?? "");
    }
}

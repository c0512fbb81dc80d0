using Enrichflow.Core.Blocks;

namespace Enrichflow.Blocks.Converters;

/// <summary>
/// <c>company_to_leads</c>: turns COMPANY rows into LEAD rows, one per entry of the <c>people_field</c> list (docs/api.md
/// §5, issue 4). See <see cref="CompanyToLeadsBlock"/> for the shape of the leads, their indexes and the rejects.
/// </summary>
public sealed class CompanyToLeadsBlockType : BlockType<CompanyToLeadsSpecs>
{
    public override string Name => "company_to_leads";

    public override string SpecsExample => """
        {"people_field": "people", "prefix": "company_"}
        """;

    public override bool RunsOnSample => true;

    public override string Description =>
        "Turns each COMPANY row into one LEAD row per entry of its people_field list (default 'people'; a JSON text "
        + "holding a list, as read from a CSV, is parsed). An object entry gives the person's fields, a text entry "
        + "gives a lead with 'name'; every other company column is carried with the prefix (default 'company_'; a "
        + "column already starting with it keeps its name). Columns: the person fields in first-seen order, then the "
        + "company columns. A row whose people_field is missing, null, empty or not a list goes to rejects; an empty "
        + "list gives no lead and is not an error. Lead n of company row i gets row index i * 1,000,000 + n, so a "
        + "company row may list at most 999,999 people (more is a reject).";

    public override DataframeType Takes => DataframeType.Company;

    public override DataframeType? Yields => DataframeType.Lead;

    protected override CompiledBlock? Compile(CompanyToLeadsSpecs specs, BlockCompileContext context)
    {
        if (string.IsNullOrWhiteSpace(specs.PeopleField))
        {
            context.AddError("people_field", $"people_field of block '{context.Definition.BlockId}' must name a column (default 'people').");
        }

        if (string.IsNullOrWhiteSpace(specs.Prefix))
        {
            context.AddError("prefix", $"prefix of block '{context.Definition.BlockId}' must not be blank (default 'company_'); the carried company columns would clash with the person's.");
        }

        return new CompanyToLeadsBlock(specs.PeopleField, specs.Prefix);
    }
}

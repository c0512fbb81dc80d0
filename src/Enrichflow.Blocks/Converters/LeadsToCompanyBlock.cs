using Enrichflow.Blocks.Dedupe;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;
using Enrichflow.Core.Storage;

namespace Enrichflow.Blocks.Converters;

/// <summary>The compiled <c>leads_to_company</c> block (see <see cref="LeadsToCompanyBlockType"/>).</summary>
internal sealed class LeadsToCompanyBlock(string? companyField, string prefix) : TwoPhaseBlock
{
    public override IReadOnlyList<string> ReadsColumns => companyField is null ? [] : [companyField];

    /// <summary>Unknown before the run: the company columns are whichever prefixed columns the leads carry.</summary>
    public override IReadOnlyList<string>? OutputColumns(IReadOnlyList<string> input) => null;

    public override async ValueTask ObserveAsync(RowChunk input, BlockRunContext context, CancellationToken cancellationToken)
    {
        var entries = new List<KeyEntry>(input.Count);
        foreach (var row in input.Rows)
        {
            if (KeyOf(row) is { } key)
            {
                entries.Add(new KeyEntry(key, row.Index));
            }
        }

        await Keys(context).RecordAsync(KeyScopes.Block(context.RunId, context.BlockId), entries, KeyKeep.First, cancellationToken);
    }

    public override async ValueTask ProcessAsync(RowChunk input, ChunkOutput output, BlockRunContext context, CancellationToken cancellationToken)
    {
        var withCompany = input.Rows.Where(r => KeyOf(r) is not null).ToList();
        var first = await Keys(context).LookupAsync(KeyScopes.Block(context.RunId, context.BlockId), [.. withCompany.Select(r => KeyOf(r)!)], cancellationToken);
        var firstByRow = withCompany.Select((row, i) => (row.Index, First: first[i])).ToDictionary(x => x.Index, x => x.First);
        foreach (var lead in input.Rows)
        {
            if (!firstByRow.TryGetValue(lead.Index, out var winner))
            {
                output.Reject(lead, $"leads_to_company: column '{companyField ?? "company"}' is empty or missing");
            }
            else if (winner == lead.Index)
            {
                output.Emit(CompanyOf(lead));
            }
        }
    }

    /// <summary>
    /// The company of its first lead: <c>name</c> and <c>company_name</c> from the company column, the lead's
    /// prefixed columns without the prefix (<c>company_domain</c> → <c>domain</c>, <c>company_website</c> →
    /// <c>website</c>, <c>company_linkedin</c> → <c>linkedin</c>, ...), and, where those give none, the lead's own
    /// <c>domain</c> and <c>website</c>: what <c>enrich_company</c> identifies a company by (docs/api.md §5.2). A
    /// lead's <c>linkedin</c> is the person's, so it is not carried.
    /// </summary>
    private Row CompanyOf(Row lead)
    {
        var field = FieldOf(lead);
        var name = lead.GetText(field)?.Trim();
        var company = new Row(lead.Index) { ["name"] = name, ["company_name"] = name };
        foreach (var (column, value) in lead)
        {
            if (prefix.Length > 0 && column.Length > prefix.Length && column.StartsWith(prefix, StringComparison.Ordinal) && column != field)
            {
                company.TryAdd(column[prefix.Length..], value);
            }
        }

        foreach (var column in (string[])["domain", "website"])
        {
            if (string.IsNullOrWhiteSpace(company.GetText(column)) && lead.GetText(column) is { } own && !string.IsNullOrWhiteSpace(own))
            {
                company[column] = own.Trim();
            }
        }

        return company;
    }

    /// <summary>The column naming the row's company: the configured one, else <c>company</c>, else <c>company_name</c>.</summary>
    private string FieldOf(Row row) => companyField ?? (row.ContainsKey("company") ? "company" : "company_name");

    private byte[]? KeyOf(Row row) => RowKeys.OfValue(row.GetText(FieldOf(row)));

    private static IKeyIndexStore Keys(BlockRunContext context) => BlockServices.KeyIndex(context);
}

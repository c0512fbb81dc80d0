using Enrichflow.Blocks.Dedupe;
using Enrichflow.Blocks.Spill;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;
using Enrichflow.Core.Storage;

namespace Enrichflow.Blocks.Converters;

/// <summary>
/// The compiled <c>leads_to_company</c> block (see <see cref="LeadsToCompanyBlockType"/>): a company's first lead is
/// found as <c>deduplicate</c> keeps the first row of a key, through the key spill (<see cref="KeySpill"/>).
/// </summary>
internal sealed class LeadsToCompanyBlock(string? companyField, string prefix) : TwoPhaseBlock
{
    public override IReadOnlyList<string> ReadsColumns => companyField is null ? [] : [companyField];

    /// <summary>Unknown before the run: the company columns are whichever prefixed columns the leads carry.</summary>
    public override IReadOnlyList<string>? OutputColumns(IReadOnlyList<string> input) => null;

    public override async ValueTask ObserveAsync(RowChunk input, BlockRunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        await Spill(context).WriteChunkAsync(input.Index, ChunkKeys.Of(input, row => RowKeys.TextOfValue(row.GetText(FieldOf(row)))), cancellationToken);
    }

    public override async ValueTask ProcessAsync(RowChunk input, ChunkOutput output, BlockRunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var kept = await Spill(context).KeptRowsAsync(input, cancellationToken);
        for (var i = 0; i < input.Count; i++)
        {
            var lead = input.Rows[i];
            if (string.IsNullOrWhiteSpace(lead.GetText(FieldOf(lead))))
            {
                output.Reject(lead, $"leads_to_company: column '{companyField ?? "company"}' is empty or missing");
            }
            else if (kept[i] < 0)
            {
                output.Emit(CompanyOf(lead));
            }
        }
    }

    /// <summary>Forgets the spilled companies once the run can no longer continue (a failed run keeps them for <c>resume</c>).</summary>
    public override async ValueTask OnRunEndedAsync(BlockRunEndContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        await KeySpill.ForgetAsync(context, cancellationToken);
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

    private static KeySpill Spill(BlockRunContext context) => KeySpill.For(context, KeyKeep.First);
}

using Enrichflow.Blocks.Agents;
using Enrichflow.Core.Rows;
using Enrichflow.Providers;

namespace Enrichflow.Blocks.Reverse;

/// <summary>
/// <c>reverse_email</c> and <c>reverse_phone</c> compiled: the row's address or number in, the person's <c>name</c>,
/// <c>title</c>, <c>company</c>, <c>linkedin</c>, <c>location</c> out, with <c>enrich_status</c> (ok, not_found) and
/// <c>enrich_provider</c> as the enrichment blocks write them. A value found replaces the column's; a value not found
/// leaves what the row had.
/// </summary>
internal sealed class ReverseLookupBlock(
    string blockName, EnrichmentOperation operation, string column, string inputKey, Func<string, string?> normalize, IEnrichmentProvider provider)
    : ProviderCallBlock(provider, blockName)
{
    public const string StatusColumn = "enrich_status";

    public const string ProviderColumn = "enrich_provider";

    public override IReadOnlyList<string> ReadsColumns { get; } = [column];

    public override IReadOnlyList<string> AddsColumns { get; } = [.. AgentRequests.PersonFields.Select(f => f.Name), StatusColumn, ProviderColumn];

    protected override IReadOnlyList<string> StopFields { get; } = ["name"];

    protected override RowRequest RequestFor(Row row) =>
        normalize(row.GetText(column) ?? "") is { } value
            ? RowRequest.Of(new EnrichmentRequest(operation, new Dictionary<string, string> { [inputKey] = value }, AgentRequests.PersonFields, new Dictionary<string, string>()))
            : RowRequest.Cannot($"nothing to look up: '{column}' is empty");

    protected override void Write(Row row, EnrichmentAnswer answer)
    {
        foreach (var field in AgentRequests.PersonFields)
        {
            if (answer.Fields.GetValueOrDefault(field.Name) is { } value && EnrichmentAnswer.HasValue(value))
            {
                row[field.Name] = ToRowValue(value);
            }
            else
            {
                row.TryAdd(field.Name, null);
            }
        }

        row[StatusColumn] = answer.Outcome == EnrichmentOutcome.Found ? "ok" : "not_found";
        row[ProviderColumn] = answer.Outcome == EnrichmentOutcome.Found ? Provider.Name : null;
    }
}

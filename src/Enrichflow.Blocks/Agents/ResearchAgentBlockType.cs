using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Blocks.Enrichment;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;
using Enrichflow.Providers;

namespace Enrichflow.Blocks.Agents;

/// <summary>Specs of <c>research_agent</c> (docs/api.md §5.3): a research plan, return fields, or both.</summary>
public sealed record ResearchAgentSpecs(
    [property: Description("What to find out about each row and how.")] string? ResearchPlan = null,
    [property: Description("The columns the research fills: {column: description} or {column: {description, type}}.")] Dictionary<string, JsonElement>? ReturnFields = null,
    [property: Description("A sixtyfour or openai_compatible provider named in the server configuration (default: the first that can).")] JsonElement? Provider = null);

/// <summary>
/// <c>research_agent</c>: open research over each row (Sixtyfour's <c>/research-agent</c> with the row as
/// <c>input_data</c> and <c>struct</c>, or a chat model): adds the return fields, <c>notes</c>, <c>references</c> and
/// <c>confidence_score</c>.
/// </summary>
public sealed class ResearchAgentBlockType(ProviderRegistry providers) : BlockType<ResearchAgentSpecs>
{
    internal static readonly string[] FixedColumns = ["notes", "references", "confidence_score"];

    public override string Name => "research_agent";

    /// <summary>Keys of Sixtyfour's request that a definition may carry and that change nothing here (docs/api.md §2.1).</summary>
    public override IReadOnlyList<string> IgnoredSpecs => ["max_iterations", "benchmark", "webhook_url"];

    public override string SpecsExample => """
        {"research_plan": "Find the company's most recent funding round", "return_fields": {"last_round": "The name of the last round", "amount_usd": {"description": "Amount raised in USD", "type": "int"}}}
        """;

    public override string Description =>
        "Researches each row (all its non-empty columns) following research_plan, through Sixtyfour's research agent (the "
        + "row as input_data, return_fields as struct) or an openai_compatible provider. Adds one column per return field "
        + "plus notes, references and confidence_score. Answers are cached per organization and count against the run's "
        + "credits; a row whose research failed goes to rejects with the reason, and the run goes on.";

    protected override CompiledBlock? Compile(ResearchAgentSpecs specs, BlockCompileContext context)
    {
        var id = context.Definition.BlockId;
        var fields = specs.ReturnFields is { Count: > 0 } ? EnrichmentCompiler.ReturnFields(specs.ReturnFields, context) : [];
        if (string.IsNullOrWhiteSpace(specs.ResearchPlan) && specs.ReturnFields is not { Count: > 0 })
        {
            context.AddError("research_plan", $"Block '{id}': research_agent needs a research_plan, return_fields, or both (what to find out about each row).");
        }

        foreach (var field in fields.Where(f => FixedColumns.Contains(f.Name, StringComparer.Ordinal)))
        {
            context.AddError(["return_fields", field.Name], $"Block '{id}': return field '{field.Name}' is a column research_agent writes itself; give it another name.");
        }

        var provider = AgentProviders.Resolve(specs.Provider, EnrichmentOperation.ResearchAgent, providers, context);
        if (provider is null)
        {
            return null;
        }

        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        AgentProviders.AddOption(options, AgentRequests.ResearchPlanOption, specs.ResearchPlan);
        return new ResearchBlock(fields, options, provider);
    }

    private sealed class ResearchBlock(List<ReturnField> fields, Dictionary<string, string> options, IEnrichmentProvider provider)
        : ProviderCallBlock(provider, "research_agent")
    {
        public override IReadOnlyList<string> AddsColumns { get; } = [.. fields.Select(f => f.Name), .. FixedColumns];

        protected override IReadOnlyList<string> StopFields { get; } = [.. fields.Select(f => f.Name)];

        protected override RowRequest RequestFor(Row row)
        {
            var input = RowInput(row);
            return input.Count == 0
                ? RowRequest.Cannot("nothing to research: the row is empty")
                : RowRequest.Of(new EnrichmentRequest(EnrichmentOperation.ResearchAgent, input, fields, options));
        }

        protected override void Write(Row row, EnrichmentAnswer answer)
        {
            foreach (var field in fields)
            {
                row[field.Name] = ToRowValue(answer.Fields.GetValueOrDefault(field.Name));
            }

            row["notes"] = answer.Notes;
            row["references"] = answer.References is { Count: > 0 } references
                ? new JsonObject(references.Select(r => KeyValuePair.Create(r.Key, (JsonNode?)JsonValue.Create(r.Value))))
                : null;
            row["confidence_score"] = answer.ConfidenceScore;
        }
    }
}

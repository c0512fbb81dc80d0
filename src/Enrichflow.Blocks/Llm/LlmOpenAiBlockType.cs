using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Enrichflow.Blocks.Agents;
using Enrichflow.Blocks.Enrichment;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;
using Enrichflow.Providers;

namespace Enrichflow.Blocks.Llm;

/// <summary>Specs of <c>llm_openai</c> (docs/api.md §5.3); <c>prompt</c> is required.</summary>
public sealed record LlmOpenAiSpecs(
    [property: Description("Required. The prompt sent for each row; {column} is replaced by the row's value, {{ and }} are literal braces.")] string? Prompt = null,
    [property: Description("The columns the answer fills: {column: description} or {column: {description, type}}; without it, one llm_output text column.")] Dictionary<string, JsonElement>? ReturnFields = null,
    [property: Description("The system message (default: answer only with the JSON object of the schema).")] string? SystemPrompt = null,
    [property: Description("The model to ask (default: the provider's Model).")] string? Model = null,
    [property: Description("Sampling temperature, 0 to 2 (default: the provider's).")] double? Temperature = null,
    [property: Description("An openai_compatible provider named in the server configuration (default: the first).")] JsonElement? Provider = null);

/// <summary><c>llm_openai</c>: one chat completion per row, answered in a JSON schema built from <c>return_fields</c>.</summary>
public sealed class LlmOpenAiBlockType(ProviderRegistry providers) : BlockType<LlmOpenAiSpecs>
{
    internal const string DefaultColumn = "llm_output";

    public override string Name => "llm_openai";

    public override string SpecsExample => """
        {"prompt": "Which industry is {company} ({website}) in?", "return_fields": {"industry": "One industry name"}, "temperature": 0}
        """;

    public override string Description =>
        "Asks a chat model (an openai_compatible provider: OpenAI, vLLM, Ollama, llama.cpp) one question per row: prompt with "
        + "{column} references filled in from the row, answered as a JSON object of return_fields (or one llm_output text "
        + "column). Adds one column per return field. Answers are cached per organization, calls are paced by the provider's "
        + "limits and count against the run's credits; an answer that breaks the schema fails its row (rejects, with the "
        + "reason) and the run goes on.";

    protected override CompiledBlock? Compile(LlmOpenAiSpecs specs, BlockCompileContext context)
    {
        var id = context.Definition.BlockId;
        PromptTemplate? template = null;
        if (string.IsNullOrWhiteSpace(specs.Prompt))
        {
            context.AddError("prompt", $"Block '{id}': prompt is required: the question asked for each row, with {{column}} references like \"Summarize {{description}}\".");
        }
        else
        {
            template = PromptTemplate.Parse(specs.Prompt);
        }

        var fields = specs.ReturnFields is { Count: > 0 }
            ? EnrichmentCompiler.ReturnFields(specs.ReturnFields, context)
            : [new ReturnField(DefaultColumn, "The answer", ReturnFieldType.Str)];
        if (specs.Temperature is < 0 or > 2)
        {
            context.AddError("temperature", $"Block '{id}': temperature must be between 0 and 2 (was {specs.Temperature.Value.ToString(CultureInfo.InvariantCulture)}).");
        }

        if (specs.Model is { } model && string.IsNullOrWhiteSpace(model))
        {
            context.AddError("model", $"Block '{id}': model must name a model (or be left out for the provider's).");
        }

        var provider = AgentProviders.Resolve(specs.Provider, EnrichmentOperation.Llm, providers, context);
        if (template is null || provider is null)
        {
            return null;
        }

        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        AgentProviders.AddOption(options, AgentRequests.SystemPromptOption, specs.SystemPrompt);
        AgentProviders.AddOption(options, AgentRequests.ModelOption, specs.Model);
        if (specs.Temperature is { } temperature)
        {
            options[AgentRequests.TemperatureOption] = temperature.ToString("R", CultureInfo.InvariantCulture);
        }

        return new LlmBlock(template, fields, options, provider);
    }

    private sealed class LlmBlock(PromptTemplate template, IReadOnlyList<ReturnField> fields, Dictionary<string, string> options, IEnrichmentProvider provider)
        : ProviderCallBlock(provider, "llm_openai")
    {
        public override IReadOnlyList<string> ReadsColumns => template.Columns;

        public override IReadOnlyList<string> AddsColumns { get; } = [.. fields.Select(f => f.Name)];

        protected override IReadOnlyList<string> StopFields => AddsColumns;

        protected override RowRequest RequestFor(Row row)
        {
            if (template.Columns.Count > 0 && template.Columns.All(c => string.IsNullOrWhiteSpace(row.GetText(c))))
            {
                return RowRequest.Cannot($"nothing to ask: {string.Join(", ", template.Columns.Select(c => $"'{c}'"))} {(template.Columns.Count == 1 ? "is" : "are")} empty");
            }

            var rowOptions = new Dictionary<string, string>(options, StringComparer.Ordinal) { [AgentRequests.PromptOption] = template.Render(row) };
            return RowRequest.Of(new EnrichmentRequest(EnrichmentOperation.Llm, new Dictionary<string, string>(), fields, rowOptions));
        }

        protected override void Write(Row row, EnrichmentAnswer answer)
        {
            foreach (var field in fields)
            {
                row[field.Name] = ToRowValue(answer.Fields.GetValueOrDefault(field.Name));
            }
        }
    }
}

namespace Enrichflow.Providers.Kinds;

/// <summary>The <c>openai_compatible</c> kind: <see cref="OpenAiCompatibleProvider"/>, a chat completions endpoint.</summary>
internal sealed class OpenAiCompatibleKind : ProviderKindDescriptor
{
    public override ProviderKind Kind => ProviderKind.OpenAiCompatible;

    public override string Name => "openai_compatible";

    public override ProviderLimits DefaultLimits { get; } = new(RequestsPerMinute: 60, MaxConcurrency: 20, Timeout: TimeSpan.FromSeconds(60), CreditsPerCall: 1m);

    public override IReadOnlyList<EnrichmentOperation> DefaultOperations { get; } =
        [EnrichmentOperation.EnrichCompany, EnrichmentOperation.EnrichPerson, EnrichmentOperation.Llm, EnrichmentOperation.QaAgent, EnrichmentOperation.ResearchAgent];

    /// <summary>The endpoint's URL comes only from configuration, so it connects without the guard.</summary>
    public override bool UsesHttpClient => true;

    internal override void AddProblems(string at, ProviderOptions options, string dataDirectory, List<string> problems)
    {
        AddBaseUrlProblems(at, options.BaseUrl, required: true, problems);
        if (string.IsNullOrWhiteSpace(options.Model))
        {
            problems.Add($"{at}:Model is missing; name the model to call (for example gpt-4o-mini or llama3.1).");
        }

        if (options.Temperature is < 0 or > 2)
        {
            problems.Add($"{at}:Temperature {options.Temperature} must be between 0 and 2.");
        }
    }

    internal override IEnrichmentProvider Create(ResolvedProviderOptions options, ProviderCreationContext context) =>
        new OpenAiCompatibleProvider(options, context.Clients);
}

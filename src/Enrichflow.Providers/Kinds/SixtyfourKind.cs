namespace Enrichflow.Providers.Kinds;

/// <summary>The <c>sixtyfour</c> kind: <see cref="SixtyfourProvider"/>, Sixtyfour's enrichment API (docs/api.md §8.1).</summary>
internal sealed class SixtyfourKind : ProviderKindDescriptor
{
    public override ProviderKind Kind => ProviderKind.Sixtyfour;

    public override string Name => "sixtyfour";

    /// <summary>500 requests a minute that take up to minutes each (P95 about 5) keep thousands in flight.</summary>
    public override ProviderLimits DefaultLimits { get; } = new(RequestsPerMinute: 500, MaxConcurrency: 2500, Timeout: TimeSpan.FromSeconds(900), CreditsPerCall: 1m);

    public override IReadOnlyList<EnrichmentOperation> DefaultOperations { get; } =
        [EnrichmentOperation.EnrichCompany, EnrichmentOperation.EnrichPerson, EnrichmentOperation.FindEmail, EnrichmentOperation.FindPhone,
         EnrichmentOperation.ReverseEmail, EnrichmentOperation.ReversePhone, EnrichmentOperation.QaAgent, EnrichmentOperation.ResearchAgent];

    /// <summary>Sixtyfour's public API.</summary>
    public override string? DefaultBaseUrl => "https://api.sixtyfour.ai/";

    public override bool UsesHttpClient => true;

    internal override string? MissingApiKeyProblem(string at) =>
        $"{at}:ApiKey is missing; Sixtyfour needs an API key (for example \"${{SIXTYFOUR_API_KEY}}\").";

    internal override void AddProblems(string at, ProviderOptions options, string dataDirectory, List<string> problems)
    {
        AddBaseUrlProblems(at, options.BaseUrl, required: false, problems);
        if (options.PollIntervalSeconds is <= 0)
        {
            problems.Add($"{at}:PollIntervalSeconds {options.PollIntervalSeconds} must be more than 0.");
        }
    }

    internal override IEnrichmentProvider Create(ResolvedProviderOptions options, ProviderCreationContext context) =>
        new SixtyfourProvider(options, context.Clients, context.Time);
}

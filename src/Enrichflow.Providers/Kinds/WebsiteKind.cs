namespace Enrichflow.Providers.Kinds;

/// <summary>The <c>website</c> kind: <see cref="WebsiteProvider"/>, the company's own site, free of credits.</summary>
internal sealed class WebsiteKind : ProviderKindDescriptor
{
    public override ProviderKind Kind => ProviderKind.Website;

    public override string Name => "website";

    public override ProviderLimits DefaultLimits { get; } = new(RequestsPerMinute: 60, MaxConcurrency: 20, Timeout: TimeSpan.FromSeconds(60), CreditsPerCall: 0m);

    public override IReadOnlyList<EnrichmentOperation> DefaultOperations { get; } = [EnrichmentOperation.EnrichCompany];

    /// <summary>Reading a company's public pages again costs nothing: every failed attempt may be retried.</summary>
    public override bool CallsAreIdempotent => true;

    public override bool UsesHttpClient => true;

    internal override void AddProblems(string at, ProviderOptions options, string dataDirectory, List<string> problems)
    {
        if (options.MaxBytes is <= 0)
        {
            problems.Add($"{at}:MaxBytes {options.MaxBytes} must be more than 0.");
        }
    }

    internal override IEnrichmentProvider Create(ResolvedProviderOptions options, ProviderCreationContext context) =>
        new WebsiteProvider(options, context.Clients, context.Guard);
}

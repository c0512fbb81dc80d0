using System.Text.Json;

namespace Enrichflow.Providers.Kinds;

/// <summary>The <c>http</c> kind: <see cref="HttpTemplateProvider"/>, any JSON REST vendor described in configuration.</summary>
internal sealed class HttpKind : ProviderKindDescriptor
{
    public override ProviderKind Kind => ProviderKind.Http;

    public override string Name => "http";

    public override ProviderLimits DefaultLimits { get; } = new(RequestsPerMinute: 60, MaxConcurrency: 20, Timeout: TimeSpan.FromSeconds(60), CreditsPerCall: 1m);

    public override IReadOnlyList<EnrichmentOperation> DefaultOperations { get; } = [EnrichmentOperation.EnrichCompany];

    /// <summary>A template fills fields from a lookup by the row's inputs ({{email}} for reverse_email); it cannot run an agent or a prompt.</summary>
    public override IReadOnlyList<EnrichmentOperation> SupportedOperations { get; } =
        [EnrichmentOperation.EnrichCompany, EnrichmentOperation.EnrichPerson, EnrichmentOperation.FindEmail, EnrichmentOperation.FindPhone, EnrichmentOperation.ReverseEmail];

    public override bool UsesHttpClient => true;

    internal override void AddProblems(string at, ProviderOptions options, string dataDirectory, List<string> problems)
    {
        AddBaseUrlProblems(at, options.BaseUrl, required: true, problems);
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            problems.Add($"{at}:Path is missing; give the request path template (like v1/companies?domain={{{{domain}}}}).");
        }

        if (options.Method is { } method && method is not ("GET" or "POST"))
        {
            problems.Add($"{at}:Method '{method}' is not GET or POST.");
        }

        AddPlaceholderProblems($"{at}:Path", options.Path, problems);
        foreach (var (header, template) in options.Headers)
        {
            AddPlaceholderProblems($"{at}:Headers:{header}", template, problems);
        }

        if (options.Body is { } body)
        {
            AddPlaceholderProblems($"{at}:Body", body, problems);
            try
            {
                using var _ = JsonDocument.Parse(ProviderTemplate.RenderJson(body, _ => "x"));
            }
            catch (JsonException e)
            {
                problems.Add($"{at}:Body is not JSON once its placeholders are filled in: {e.Message}");
            }
        }

        foreach (var (field, path) in options.Fields)
        {
            if (!JsonPath.TryParse(path, out _, out var error))
            {
                problems.Add($"{at}:Fields:{field} {error}");
            }
        }

        foreach (var status in options.NotFoundStatuses)
        {
            if (status is < 100 or > 599)
            {
                problems.Add($"{at}:NotFoundStatuses {status} is not an HTTP status.");
            }
        }
    }

    internal override IEnrichmentProvider Create(ResolvedProviderOptions options, ProviderCreationContext context) =>
        new HttpTemplateProvider(options, context.Clients);

    private static void AddPlaceholderProblems(string at, string? template, List<string> problems)
    {
        foreach (var unknown in ProviderTemplate.UnknownNamesIn(template))
        {
            problems.Add($"{at} uses {{{{{unknown}}}}}, which is not a placeholder; use {string.Join(", ", ProviderTemplate.Names.Select(n => "{{" + n + "}}"))}.");
        }
    }
}

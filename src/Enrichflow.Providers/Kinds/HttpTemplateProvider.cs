using System.Text;
using System.Text.Json.Nodes;

namespace Enrichflow.Providers.Kinds;

/// <summary>
/// Any JSON REST vendor, described in configuration: a templated request (<c>Method</c>, <c>Path</c>, <c>Headers</c>,
/// <c>Body</c> with <c>{{placeholders}}</c>) and a response mapping (<c>Fields</c>: return field → JSON path; a field
/// not mapped is read from the top-level property of the same name). <c>NotFoundStatuses</c> (default 404) mean
/// "not found".
/// </summary>
public sealed class HttpTemplateProvider : RemoteProvider
{
    private static readonly int[] DefaultNotFound = [404];

    private readonly Dictionary<string, JsonPath> _paths;

    internal HttpTemplateProvider(ResolvedProviderOptions options, IHttpClientFactory clients)
        : base(options, clients)
    {
        _paths = options.Configured.Fields.ToDictionary(p => p.Key, p => JsonPath.Parse(p.Value), StringComparer.Ordinal);
    }

    public override ProviderKind Kind => ProviderKind.Http;

    private IReadOnlyCollection<int> NotFoundStatuses => Options.Configured.NotFoundStatuses.Count > 0 ? Options.Configured.NotFoundStatuses : DefaultNotFound;

    public override bool Supports(EnrichmentOperation operation) => Options.Operations.Contains(operation);

    public override async Task<EnrichmentAnswer> CallAsync(EnrichmentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var pathTemplate = Options.Configured.Path ?? "";
        var missing = ProviderTemplate.NamesIn(pathTemplate)
            .Where(n => n != ProviderTemplate.ApiKey && InputKeys.ValueOf(request, n) is null)
            .Distinct()
            .ToList();
        if (missing.Count > 0)
        {
            // Nothing to look up: no paid request for a row without its key.
            return EnrichmentAnswer.NotFound($"the input has no {string.Join(" or ", missing)}") with { Billable = false };
        }

        using var message = Build(request);
        var reply = await Http.SendJsonAsync(message, NotFoundStatuses, cancellationToken);
        if (!reply.IsJson)
        {
            return reply.Answer;
        }

        var fields = FieldValues.Map(request.Fields, f => Read(f, reply.Json), out var error);
        return fields is null ? EnrichmentAnswer.Failed(error!, billable: true) : EnrichmentAnswer.Of(fields);
    }

    internal HttpRequestMessage Build(EnrichmentRequest request)
    {
        string? Value(string name) => name == ProviderTemplate.ApiKey ? Options.ApiKey : InputKeys.ValueOf(request, name);

        var method = string.Equals(Options.Configured.Method, "POST", StringComparison.OrdinalIgnoreCase) ? HttpMethod.Post : HttpMethod.Get;
        var url = Options.Url(ProviderTemplate.RenderUrl(Options.Configured.Path ?? "", Value));
        var message = new HttpRequestMessage(method, url);
        message.Headers.Accept.ParseAdd("application/json");
        if (Options.Configured.Body is { } body)
        {
            message.Content = new StringContent(ProviderTemplate.RenderJson(body, Value), Encoding.UTF8, "application/json");
        }

        foreach (var (name, template) in Options.Configured.Headers)
        {
            var value = ProviderTemplate.RenderHeader(template, Value);
            if (!message.Headers.TryAddWithoutValidation(name, value) && message.Content is not null)
            {
                // Content headers (Content-Type) belong to the body.
                message.Content.Headers.Remove(name);
                message.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return message;
    }

    private JsonNode? Read(ReturnField field, JsonNode? json) =>
        _paths.TryGetValue(field.Name, out var path) ? path.Read(json) : (json as JsonObject)?[field.Name];
}

using Enrichflow.Server.Auth;
using Enrichflow.Server.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Enrichflow.Server.OpenApi;

/// <summary>
/// The <c>x-api-key</c> scheme (docs/api.md §1): declared once in the document, required by every operation whose
/// route needs a key (<see cref="ApiKeyRequired"/>), each of which also answers 401 (no or an unknown key), 429 (the
/// key's request rate) and, for anything but GET, 403 (a read-only key). Public routes carry no requirement.
/// </summary>
internal sealed class ApiKeySecurity : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    public const string SchemeName = "ApiKey";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Enrichflow",
            Version = "v1",
            Description = "Sixtyfour's Workflows API, self-hosted: workflows, runs, uploads, results, notebooks, schedules, providers and usage. "
                + "Every route but /healthz, /readyz, /metrics, /docs, /openapi/v1.json and signed downloads needs the header x-api-key. "
                + "Errors are {\"detail\": \"...\"} (FastAPI's shape); a body that does not match the schema is a 422 whose detail lists each problem with its location.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyFilter.Header,
            Description = "An organization's API key (enrichflow keys create --org NAME). A read-only key may use GET only.",
        };
        return Task.CompletedTask;
    }

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (!context.Description.ActionDescriptor.EndpointMetadata.OfType<ApiKeyRequired>().Any())
        {
            return;
        }

        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = [] });
        operation.Responses ??= new OpenApiResponses();
        var error = await context.GetOrCreateSchemaAsync(typeof(ErrorBody), null, cancellationToken);
        Add(operation, "401", "No x-api-key, or an unknown or revoked one: {\"detail\": \"Invalid API key\"}.", error);
        Add(operation, "429", "More requests than Limits:RequestsPerSecondPerKey for this key; Retry-After gives the seconds to wait.", error);
        if (!string.Equals(context.Description.HttpMethod, "GET", StringComparison.OrdinalIgnoreCase))
        {
            Add(operation, "403", "A read-only key asked to change something: {\"detail\": \"Access denied\"}.", error);
        }
    }

    private static void Add(OpenApiOperation operation, string status, string description, IOpenApiSchema schema)
    {
        if (operation.Responses!.TryGetValue(status, out var existing))
        {
            if (existing is OpenApiResponse known && string.IsNullOrEmpty(known.Description))
            {
                known.Description = description;
            }

            return;
        }

        operation.Responses[status] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
        };
    }
}

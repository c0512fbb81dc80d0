using Scalar.AspNetCore;

namespace Enrichflow.Server.OpenApi;

/// <summary>
/// The API's own description: <c>GET /openapi/v1.json</c> (generated from the endpoints' typed results, their
/// documented bodies (<see cref="DocumentedBody"/>) and the transformers here) and <c>GET /docs</c>, the reference page Scalar renders from it
/// with its script served by the server itself (nothing is loaded from the internet).
/// </summary>
public static class OpenApiSetup
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string DocsPath = "/docs";

    public static IServiceCollection AddEnrichflowOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(o =>
        {
            var security = new ApiKeySecurity();
            o.AddDocumentTransformer(security);
            o.AddOperationTransformer(security);
            o.AddOperationTransformer(new ErrorDescriptions());
            o.AddOperationTransformer(new DocumentedBodies());
            o.AddDocumentTransformer(new PathParameterNames());
        });

    public static void MapApiReference(this WebApplication app)
    {
        app.MapOpenApi(DocumentPath);
        app.MapScalarApiReference(DocsPath, o => o
            .WithTitle("Enrichflow API reference")
            .WithOpenApiRoutePattern(DocumentPath)
            .AddApiKeyAuthentication(ApiKeySecurity.SchemeName, key => key.Name = Auth.ApiKeyFilter.Header)
            .AddPreferredSecuritySchemes(ApiKeySecurity.SchemeName)
            .DisableDefaultFonts()
            .DisableTelemetry()
            .DisableAgent()
            .DisableMcp()
            .HideDeveloperTools()
            .WithDefaultHttpClient(ScalarTarget.Shell, ScalarClient.Curl))
            .ExcludeFromDescription();
    }
}

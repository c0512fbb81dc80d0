namespace Enrichflow.Server.OpenApi;

/// <summary>Endpoint metadata: the route needs <c>x-api-key</c> (put there by <c>RequireApiKey</c>); the OpenAPI document gives it the scheme and the 401/403/429 answers.</summary>
public sealed class ApiKeyRequired
{
    public static ApiKeyRequired Instance { get; } = new();

    private ApiKeyRequired()
    {
    }
}

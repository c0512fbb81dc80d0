using Enrichflow.Hosting;

namespace Enrichflow.Server.Http;

/// <summary>The base of links this server hands out (signed downloads): <c>Server:PublicBaseUrl</c>, else the request's own address.</summary>
public static class PublicUrls
{
    /// <summary>
    /// <c>Server:PublicBaseUrl</c> when set; else the scheme, host and path base of <paramref name="request"/>, which
    /// behind a trusted proxy are the ones it forwarded.
    /// </summary>
    public static string BaseOf(HttpRequest request, EnrichflowOptions options)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        return options.PublicBaseUrl ?? $"{request.Scheme}://{request.Host}{request.PathBase}";
    }
}

using System.Collections.Frozen;
using System.Security.Cryptography;
using Enrichflow.Server.Http;
using Microsoft.Net.Http.Headers;

namespace Enrichflow.Server.Web;

/// <summary>
/// The web dashboard (README "Dashboard"): <c>GET /</c> answers its page and <c>GET /web/{path}</c> its scripts, styles
/// and vendored libraries, all embedded in this assembly from <c>wwwroot/</c>, so the built and published server carries
/// them and needs nothing from the internet. The files are public (they hold no data); the page asks for an API key and
/// talks to the public API with it.
/// </summary>
public static class WebDashboard
{
    public const string AssetPrefix = "/web";

    /// <summary>Scripts come only from this server; API calls and downloads go to it alone; no framing.</summary>
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private static readonly Lazy<FrozenDictionary<string, WebAsset>> Assets = new(Load);

    public static IEndpointRouteBuilder MapWebDashboard(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", Index).ExcludeFromDescription();
        app.MapGet(AssetPrefix + "/{**path}", Asset).ExcludeFromDescription();
        return app;
    }

    /// <summary><c>GET /</c>: the dashboard's single page.</summary>
    public static Results<FileContentHttpResult, StatusCodeHttpResult> Index(HttpContext http)
    {
        var page = Assets.Value["index.html"];
        return Unchanged(http, page) ? TypedResults.StatusCode(StatusCodes.Status304NotModified) : TypedResults.Bytes(page.Content, page.ContentType);
    }

    /// <summary><c>GET /web/{path}</c>: one of the dashboard's files, or the usual 404.</summary>
    public static Results<FileContentHttpResult, StatusCodeHttpResult, NotFound<ErrorBody>> Asset(HttpContext http, string path)
    {
        if (!Assets.Value.TryGetValue(path, out var asset))
        {
            return TypedResults.NotFound(new ErrorBody("Not Found"));
        }

        return Unchanged(http, asset) ? TypedResults.StatusCode(StatusCodes.Status304NotModified) : TypedResults.Bytes(asset.Content, asset.ContentType);
    }

    /// <summary>Sets the file's headers; true when the client's <c>If-None-Match</c> names its ETag (a 304).</summary>
    private static bool Unchanged(HttpContext http, WebAsset asset)
    {
        var headers = http.Response.Headers;
        headers.ETag = asset.ETag;
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers["Referrer-Policy"] = "no-referrer";
        return http.Request.Headers.IfNoneMatch.Contains(asset.ETag);
    }

    private static FrozenDictionary<string, WebAsset> Load()
    {
        var assembly = typeof(WebDashboard).Assembly;
        var assets = new Dictionary<string, WebAsset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            var path = name.Replace('\\', '/');
            if (!path.StartsWith("wwwroot/", StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            var etag = new EntityTagHeaderValue("\"" + Convert.ToHexStringLower(SHA256.HashData(content))[..16] + "\"");
            assets[path["wwwroot/".Length..]] = new WebAsset(content, ContentTypeOf(path), etag.ToString());
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string ContentTypeOf(string path) => Path.GetExtension(path) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" or ".mjs" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".json" => "application/json",
        ".png" => "image/png",
        _ => "text/plain; charset=utf-8",
    };

    private sealed record WebAsset(byte[] Content, string ContentType, string ETag);
}

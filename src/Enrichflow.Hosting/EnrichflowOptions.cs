namespace Enrichflow.Hosting;

/// <summary>Settings every Enrichflow process shares (docs/api.md §9): data directory, blobs, result downloads.</summary>
public sealed class EnrichflowOptions
{
    /// <summary>Where the SQLite store, blobs, keys and secrets live.</summary>
    public string DataDirectory { get; set; } = ".enrichflow";

    /// <summary>
    /// Fsync every blob before it is committed and its directory after the rename, and run SQLite with
    /// <c>synchronous = FULL</c>. Off by default: a killed process (SIGKILL, OOM) loses nothing either way; turn it
    /// on to survive a power loss or an OS crash too (README, "Durability").
    /// </summary>
    public bool FlushBlobsToDisk { get; set; }

    /// <summary>The name reported as <c>storage_bucket</c> of result files.</summary>
    public string StorageBucket { get; set; } = "local";

    public DownloadOptions Downloads { get; set; } = new();

    /// <summary>Where clients and webhook receivers reach the HTTP API (section <c>Server</c>).</summary>
    public PublicServerOptions Server { get; set; } = new();

    /// <summary>
    /// <c>Server:PublicBaseUrl</c> without a trailing slash, or null when not set: the base of signed download links
    /// and of the links in webhook bodies (behind a TLS proxy, the proxy's https address).
    /// </summary>
    public string? PublicBaseUrl => string.IsNullOrWhiteSpace(Server.PublicBaseUrl) ? null : Server.PublicBaseUrl.Trim().TrimEnd('/');

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            yield return "DataDirectory must not be empty.";
        }

        if (PublicBaseUrl is { } url && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Query.Length > 0))
        {
            yield return $"Server:PublicBaseUrl must be an absolute http or https URL without a query (was '{Server.PublicBaseUrl}').";
        }

        if (Downloads.ExpirySeconds is < 1 or > 86_400)
        {
            yield return $"Downloads:ExpirySeconds must be between 1 and 86400 (was {Downloads.ExpirySeconds}).";
        }
    }
}

public sealed class DownloadOptions
{
    /// <summary>How long a signed link works; 900 s.</summary>
    public int ExpirySeconds { get; set; } = 900;

    /// <summary>The HMAC secret; when empty one is generated into the data directory on first start.</summary>
    public string? Secret { get; set; }
}

public sealed class PublicServerOptions
{
    /// <summary>The HTTP API's address as its clients reach it, e.g. <c>https://enrich.example.com</c>; unset: the address of each request.</summary>
    public string? PublicBaseUrl { get; set; }
}

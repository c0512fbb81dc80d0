namespace Enrichflow.Server.Hosting;

/// <summary>Server settings (API.md §9): data directory, limits, downloads.</summary>
public sealed class ServerOptions
{
    /// <summary>Where the SQLite store, blobs, keys and secrets live.</summary>
    public string DataDirectory { get; set; } = ".enrichflow";

    /// <summary>
    /// Fsync every blob before it is committed. Off by default: a killed process (SIGKILL, OOM) loses nothing
    /// either way; turn it on to survive a power loss too.
    /// </summary>
    public bool FlushBlobsToDisk { get; set; }

    /// <summary>The name reported as <c>storage_bucket</c> of result files.</summary>
    public string StorageBucket { get; set; } = "local";

    public LimitsOptions Limits { get; set; } = new();

    public DownloadOptions Downloads { get; set; } = new();

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            yield return "DataDirectory must not be empty.";
        }

        if (Limits.MaxPayloadBytes < 1024)
        {
            yield return $"Limits:MaxPayloadBytes must be at least 1024 (was {Limits.MaxPayloadBytes}).";
        }

        if (Limits.MaxUploadBytes < 1024)
        {
            yield return $"Limits:MaxUploadBytes must be at least 1024 (was {Limits.MaxUploadBytes}).";
        }

        if (Limits.MaxRequestBytes < 1024)
        {
            yield return $"Limits:MaxRequestBytes must be at least 1024 (was {Limits.MaxRequestBytes}).";
        }

        if (Limits.RequestsPerSecondPerKey < 0)
        {
            yield return $"Limits:RequestsPerSecondPerKey must be 0 (off) or more (was {Limits.RequestsPerSecondPerKey}).";
        }

        if (Downloads.ExpirySeconds is < 1 or > 86_400)
        {
            yield return $"Downloads:ExpirySeconds must be between 1 and 86400 (was {Downloads.ExpirySeconds}).";
        }
    }
}

public sealed class LimitsOptions
{
    /// <summary>Largest <c>POST /workflows/run</c> body (a webhook payload); 256 MiB.</summary>
    public long MaxPayloadBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Largest upload; 2 GiB.</summary>
    public long MaxUploadBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>Largest body of the other JSON endpoints (workflow definitions); 16 MiB.</summary>
    public long MaxRequestBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>Requests per second one API key may make (429 above, with Retry-After); 0 turns the limit off.</summary>
    public int RequestsPerSecondPerKey { get; set; } = 100;

    /// <summary>Requests one API key may make at once after a quiet spell.</summary>
    public int BurstPerKey { get; set; } = 200;
}

public sealed class DownloadOptions
{
    /// <summary>How long a signed link works; 900 s.</summary>
    public int ExpirySeconds { get; set; } = 900;

    /// <summary>The HMAC secret; when empty one is generated into the data directory on first start.</summary>
    public string? Secret { get; set; }
}

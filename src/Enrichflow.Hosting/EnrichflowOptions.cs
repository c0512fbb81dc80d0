namespace Enrichflow.Hosting;

/// <summary>Settings every Enrichflow process shares (docs/api.md §9): data directory, blobs, result downloads.</summary>
public sealed class EnrichflowOptions
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

    public DownloadOptions Downloads { get; set; } = new();

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            yield return "DataDirectory must not be empty.";
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

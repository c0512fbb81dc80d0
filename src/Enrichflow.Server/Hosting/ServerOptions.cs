namespace Enrichflow.Server.Hosting;

/// <summary>HTTP settings (docs/api.md §9): request, payload and upload limits, per-key rate limit.</summary>
public sealed class ServerOptions
{
    public LimitsOptions Limits { get; set; } = new();

    public IEnumerable<string> Validate()
    {
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

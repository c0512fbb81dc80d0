using System.Net;

namespace Enrichflow.Server.Hosting;

/// <summary>HTTP settings (docs/api.md §9): request, payload and upload limits, per-key rate limit.</summary>
public sealed class ServerOptions
{
    public LimitsOptions Limits { get; set; } = new();

    /// <summary>Section <c>Server</c>: the proxies whose forwarded headers are believed.</summary>
    public ProxyOptions Server { get; set; } = new();

    public IEnumerable<string> Validate()
    {
        for (var i = 0; i < Server.TrustedProxies.Count; i++)
        {
            if (!ProxyOptions.TryParse(Server.TrustedProxies[i], out _, out _))
            {
                yield return $"Server:TrustedProxies[{i}] '{Server.TrustedProxies[i]}' is not an IP address or a CIDR range (like 10.0.0.0/8).";
            }
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

    /// <summary>Most JSON bytes of inline <c>results</c> per download link (docs/api.md §3.1); above it <c>results</c> is null. 256 KiB.</summary>
    public long MaxInlineResultBytes { get; set; } = 256 * 1024;
}

public sealed class ProxyOptions
{
    /// <summary>
    /// Addresses or CIDR ranges of reverse proxies in front of the server (<c>Server:TrustedProxies</c>): a request
    /// from one of them is taken at its <c>X-Forwarded-Proto</c>, <c>X-Forwarded-Host</c> and <c>X-Forwarded-For</c>,
    /// so links built from the request point at the proxy. Empty (the default): forwarded headers are ignored.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>An entry as one address or one range; false when it is neither.</summary>
    public static bool TryParse(string? entry, out IPAddress? address, out IPNetwork? range)
    {
        address = null;
        range = null;
        var text = entry?.Trim() ?? "";
        if (text.Contains('/', StringComparison.Ordinal))
        {
            if (IPNetwork.TryParse(text, out var parsed))
            {
                range = parsed;
                return true;
            }

            return false;
        }

        return IPAddress.TryParse(text, out address);
    }
}

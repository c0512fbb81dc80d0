namespace Enrichflow.Hosting.Telemetry;

/// <summary><c>Metrics:*</c> (docs/api.md §9, §11): the Prometheus endpoint and the store-read gauges behind it.</summary>
public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>Serve <c>GET /metrics</c>; false answers 404 there (the meters still count, for OTLP).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Require a valid <c>x-api-key</c> on <c>/metrics</c> (off: scrapers rarely send one; the text holds no organization's data).</summary>
    public bool RequireKey { get; set; }

    /// <summary>How long the gauges that read the store (runs by status, queue depth, store size) reuse one reading.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    public IEnumerable<string> Validate()
    {
        if (RefreshInterval < TimeSpan.Zero || RefreshInterval > TimeSpan.FromHours(1))
        {
            yield return $"Metrics:RefreshInterval must be from 00:00:00 to 01:00:00 (got {RefreshInterval}).";
        }
    }
}

/// <summary><c>Telemetry:*</c>: where traces and metrics are pushed over OTLP (nowhere by default).</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    public OtlpOptions Otlp { get; set; } = new();

    public IEnumerable<string> Validate()
    {
        if (Otlp.Endpoint is { Length: > 0 } endpoint
            && (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            yield return $"Telemetry:Otlp:Endpoint must be an absolute http(s) URL (got '{endpoint}').";
        }

        if (Otlp.Protocol is not ("grpc" or "http/protobuf"))
        {
            yield return $"Telemetry:Otlp:Protocol must be grpc or http/protobuf (got '{Otlp.Protocol}').";
        }
    }
}

public sealed class OtlpOptions
{
    /// <summary>The collector's URL (<c>http://collector:4317</c> for gRPC); empty: no OTLP export, and no spans are recorded.</summary>
    public string? Endpoint { get; set; }

    /// <summary><c>grpc</c> (default) or <c>http/protobuf</c>.</summary>
    public string Protocol { get; set; } = "grpc";
}

using Enrichflow.Core.Diagnostics;
using Enrichflow.Engine;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Enrichflow.Hosting.Telemetry;

/// <summary>
/// The OpenTelemetry SDK over Enrichflow's meter and activity source (docs/api.md §11): metrics always (the server
/// adds the Prometheus exporter and the ASP.NET Core instrumentation), with the runtime's, the HttpClient's and the
/// ASP.NET Core server's meters; traces only when <c>Telemetry:Otlp:Endpoint</c> names a collector, so nothing records
/// spans nobody reads.
/// </summary>
public static class TelemetrySetup
{
    /// <summary>The meters of the ASP.NET Core server (request duration, active requests, connections).</summary>
    public static readonly string[] AspNetCoreMeters = ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Routing", "Microsoft.AspNetCore.Diagnostics", "Microsoft.AspNetCore.RateLimiting"];

    public static IServiceCollection AddEnrichflowTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCheckedOptions<MetricsOptions>(o => o.Validate()).Bind(configuration.GetSection(MetricsOptions.Section));
        services.AddCheckedOptions<TelemetryOptions>(o => o.Validate()).Bind(configuration.GetSection(TelemetryOptions.Section));
        services.AddMetrics();
        services.AddSingleton<EnrichflowMetrics>();
        services.AddSingleton<StoreGauges>();
        services.AddHostedService(sp => sp.GetRequiredService<StoreGauges>());

        var otlp = OtlpEndpoint(configuration);
        var protocol = string.Equals(configuration[$"{TelemetryOptions.Section}:Otlp:Protocol"], "http/protobuf", StringComparison.OrdinalIgnoreCase)
            ? OtlpExportProtocol.HttpProtobuf
            : OtlpExportProtocol.Grpc;
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("enrichflow", serviceInstanceId: Environment.MachineName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(EnrichflowMetrics.MeterName)
                    .AddMeter(AspNetCoreMeters)
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation();
                if (otlp is not null)
                {
                    metrics.AddOtlpExporter(o => (o.Endpoint, o.Protocol) = (SignalEndpoint(otlp, protocol, "v1/metrics"), protocol));
                }
            });
        if (otlp is not null)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(EnrichflowActivities.SourceName)
                .AddHttpClientInstrumentation()
                .AddOtlpExporter(o => (o.Endpoint, o.Protocol) = (SignalEndpoint(otlp, protocol, "v1/traces"), protocol)));
        }

        return services;
    }

    /// <summary>Over http/protobuf each signal has its own path under the collector's URL (the exporter uses a URL set in code as it is); gRPC takes the URL alone.</summary>
    private static Uri SignalEndpoint(Uri collector, OtlpExportProtocol protocol, string signal) =>
        protocol == OtlpExportProtocol.HttpProtobuf
            ? new Uri(new Uri(collector.AbsoluteUri.TrimEnd('/') + "/"), signal)
            : collector;

    /// <summary>The collector's URL, or null when none is configured (or it does not parse: the options check names it).</summary>
    public static Uri? OtlpEndpoint(IConfiguration configuration) =>
        configuration[$"{TelemetryOptions.Section}:Otlp:Endpoint"] is { Length: > 0 } value
        && Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : null;
}

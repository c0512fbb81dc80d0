using System.Security.Cryptography;
using Enrichflow.Core.Storage;
using Enrichflow.Hosting;
using Enrichflow.Hosting.Telemetry;
using Enrichflow.Server.Auth;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Enrichflow.Server.Telemetry;

/// <summary>
/// <c>GET /metrics</c>: every meter of <see cref="TelemetrySetup"/> in Prometheus text (OpenTelemetry's exporter),
/// with the ASP.NET Core server's own spans when traces are exported. No key by default (<c>Metrics:RequireKey</c>).
/// </summary>
public static class MetricsEndpoint
{
    public const string Path = "/metrics";

    /// <summary>The server's part of the SDK: the Prometheus exporter and ASP.NET Core's spans.</summary>
    public static IServiceCollection AddEnrichflowServerTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEnrichflowTelemetry(configuration);
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddPrometheusExporter());
        if (TelemetrySetup.OtlpEndpoint(configuration) is not null)
        {
            services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddAspNetCoreInstrumentation(o =>
                o.Filter = http => !http.Request.Path.StartsWithSegments(Path, StringComparison.Ordinal)));
        }

        return services;
    }

    public static void MapMetrics(this WebApplication app)
    {
        // Read as configured, not validated: mapping runs before the configuration problems are listed (and stop the server).
        var options = new MetricsOptions();
        app.Configuration.GetSection(MetricsOptions.Section).Bind(options);
        if (!options.Enabled)
        {
            return;
        }

        app.MapPrometheusScrapingEndpoint(Path, meterProvider: null, configureBranchedPipeline: options.RequireKey ? RequireKey : null, optionsName: null)
            .ExcludeFromDescription();
    }

    /// <summary>With <c>Metrics:RequireKey</c>: any valid, unrevoked key (read-only ones too) may scrape; otherwise a 401 as elsewhere.</summary>
    private static void RequireKey(IApplicationBuilder branch) => branch.Use(async (http, next) =>
    {
        var key = http.Request.Headers[ApiKeyFilter.Header].ToString();
        if (!string.IsNullOrEmpty(key))
        {
            var hash = ApiKeys.Hash(key);
            var record = await http.RequestServices.GetRequiredService<IAccountStore>().FindApiKeyAsync(hash, http.RequestAborted);
            if (record is { RevokedAt: null } && CryptographicOperations.FixedTimeEquals(record.Hash, hash))
            {
                await next(http);
                return;
            }
        }

        http.Response.StatusCode = StatusCodes.Status401Unauthorized;
        await http.Response.WriteAsJsonAsync(new { detail = "Invalid API key" }, http.RequestAborted);
    });
}

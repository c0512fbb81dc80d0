using System.Text.Json;
using System.Text.Json.Serialization;
using Enrichflow.Engine;
using Enrichflow.Hosting;
using Enrichflow.Server.Apis;
using Enrichflow.Server.Auth;
using Enrichflow.Server.Dashboard;
using Enrichflow.Server.Http;
using Enrichflow.Server.Web;
using Enrichflow.Server.OpenApi;
using Enrichflow.Server.Telemetry;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Enrichflow.Server.Hosting;

/// <summary>How <c>enrichflow serve</c> was asked to start.</summary>
public sealed record ServeSettings(string? Urls = null, string? DataDirectory = null, string? ConfigFile = null);

/// <summary>The composition root: builds the embedded server (SQLite + local disk + in-process dispatcher).</summary>
public static class EnrichflowApp
{
    public const string DefaultUrls = "http://127.0.0.1:8080";

    /// <param name="overrides">Configuration values that win over every source (tests, embedding); applied before services are added.</param>
    public static WebApplication Build(ServeSettings settings, Action<WebApplicationBuilder>? configure = null, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        var dataDirectory = EnrichflowHost.ResolveDataDirectory(settings.DataDirectory);
        EnrichflowHost.Configure(builder.Configuration, dataDirectory, settings.ConfigFile, overrides);
        builder.WebHost.UseUrls(settings.Urls ?? builder.Configuration["Urls"] ?? DefaultUrls);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);
        builder.Logging.AddEnrichflowLogging(builder.Configuration);
        builder.Services.AddEnrichflow(builder.Configuration, dataDirectory);
        builder.Services.AddEnrichflowServer(builder.Configuration);
        configure?.Invoke(builder);

        var app = builder.Build();
        UseTrustedProxies(app);
        app.UseExceptionHandler(errors => errors.Run(WriteInternalError));
        app.UseStatusCodePages(WriteStatusBody);
        app.UseDashboard();
        app.MapApiReference();
        app.MapMetrics();
        app.MapHealthApi();
        app.MapWorkflowsApi();
        app.MapRunsApi();
        app.MapInteractiveApi();
        app.MapUploadsApi();
        app.MapDownloads();
        app.MapWebhookSecretsApi();
        app.MapNotebooksApi();
        app.MapUsageApi();
        app.MapProvidersApi();
        app.MapSchedulesApi();
        app.MapWebDashboard();
        return app;
    }

    /// <summary>Every configuration problem of the host and of the HTTP API (empty when none).</summary>
    public static IReadOnlyList<string> ConfigurationProblems(WebApplication app) =>
        EnrichflowHost.ConfigurationProblems(app.Services, problems =>
        {
            EnrichflowHost.Check<ServerOptions>(app.Services, problems);
            EnrichflowHost.Check<DashboardOptions>(app.Services, problems);
            EnrichflowHost.Check<Enrichflow.Hosting.Telemetry.MetricsOptions>(app.Services, problems);
            EnrichflowHost.Check<Enrichflow.Hosting.Telemetry.TelemetryOptions>(app.Services, problems);
        });

    /// <summary>Migrates the store and, on first start, creates org <c>default</c> and its key. Returns that key when it was created.</summary>
    public static Task<string?> PrepareAsync(WebApplication app, CancellationToken cancellationToken) =>
        EnrichflowHost.PrepareAsync(app.Services, cancellationToken);

    /// <summary>The HTTP API's own services: its options (limits), auth, the dashboard's sessions, JSON shape, per-key rate limits, OpenAPI.</summary>
    public static IServiceCollection AddEnrichflowServer(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCheckedOptions<ServerOptions>(o => o.Validate())
            .Bind(configuration);
        services.AddSingleton<IListeningAddress, KestrelAddress>();
        services.AddSingleton<ApiKeyFilter>();
        services.AddDashboard(configuration);
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.DictionaryKeyPolicy = null;
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
            o.SerializerOptions.Converters.Add(new UtcTimeConverter());
        });
        services.AddKeyRateLimiting();
        services.AddEnrichflowOpenApi();
        services.AddEnrichflowServerTelemetry(configuration);
        services.AddProblemDetails();
        return services;
    }

    /// <summary>The first address Kestrel listens on, for links in webhook bodies.</summary>
    private sealed class KestrelAddress(IServer server) : IListeningAddress
    {
        public string? First => server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
    }

    /// <summary>
    /// Believes <c>X-Forwarded-*</c> from the proxies in <c>Server:TrustedProxies</c> only (none by default). Entries
    /// that do not parse are skipped here and reported among the configuration problems, which stop the server.
    /// </summary>
    private static void UseTrustedProxies(WebApplication app)
    {
        var entries = app.Configuration.GetSection("Server:TrustedProxies").Get<string[]>() ?? [];
        if (entries.Length == 0)
        {
            return;
        }

        var forwarded = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost,
        };
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        foreach (var entry in entries)
        {
            if (ProxyOptions.TryParse(entry, out var address, out var range))
            {
                if (address is not null)
                {
                    forwarded.KnownProxies.Add(address);
                }
                else
                {
                    forwarded.KnownIPNetworks.Add(range!.Value);
                }
            }
        }

        app.UseForwardedHeaders(forwarded);
    }

    /// <summary>FastAPI's bodies for an unknown route (404) or method (405) that no endpoint answered with a body of its own.</summary>
    private static async Task WriteStatusBody(StatusCodeContext context)
    {
        var response = context.HttpContext.Response;
        var detail = response.StatusCode switch
        {
            StatusCodes.Status404NotFound => "Not Found",
            StatusCodes.Status405MethodNotAllowed => "Method Not Allowed",
            _ => null,
        };
        if (detail is null)
        {
            return;
        }

        response.ContentType = "application/json";
        await response.WriteAsync(JsonSerializer.Serialize(new { detail }), context.HttpContext.RequestAborted);
    }

    private static async Task WriteInternalError(HttpContext context)
    {
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        var status = error is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var detail = status == StatusCodes.Status500InternalServerError ? "Internal server error" : error!.Message;
        await context.Response.WriteAsync(JsonSerializer.Serialize(new { detail }), context.RequestAborted);
    }
}

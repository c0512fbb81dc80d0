using System.Text.Json;
using System.Text.Json.Serialization;
using Enrichflow.Blocks;
using Enrichflow.Blocks.Enrichment;
using Enrichflow.Blocks.Enrichment.Providers;
using Enrichflow.Blocks.Outbound;
using Enrichflow.Blocks.Validation;
using Enrichflow.Core.Storage;
using Enrichflow.Engine;
using Enrichflow.Engine.Execution;
using Enrichflow.Server.Apis;
using Enrichflow.Server.Auth;
using Enrichflow.Server.Http;
using Enrichflow.Server.Webhooks;
using Enrichflow.Storage.LocalDisk;
using Enrichflow.Storage.Sqlite;
using Microsoft.AspNetCore.Diagnostics;
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
        var dataDirectory = Path.GetFullPath(settings.DataDirectory
            ?? Environment.GetEnvironmentVariable("ENRICHFLOW_DataDirectory")
            ?? ".enrichflow");
        Directory.CreateDirectory(dataDirectory);
        builder.Configuration.AddEnrichflowSources(dataDirectory, settings.ConfigFile);
        builder.Configuration["DataDirectory"] = dataDirectory;
        foreach (var (key, value) in overrides ?? [])
        {
            builder.Configuration[key] = value;
        }

        builder.WebHost.UseUrls(settings.Urls ?? builder.Configuration["Urls"] ?? DefaultUrls);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);
        builder.Logging.AddEnrichflowLogging(builder.Configuration);
        builder.Services.AddEnrichflowServer(builder.Configuration, dataDirectory);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseExceptionHandler(errors => errors.Run(WriteInternalError));
        app.UseRateLimiter();
        app.MapOpenApi("/openapi/v1.json");
        app.MapGet("/docs", () => Results.Content(DocsPage.Html, "text/html; charset=utf-8")).ExcludeFromDescription();
        app.MapHealthApi();
        app.MapWorkflowsApi();
        app.MapRunsApi();
        app.MapUploadsApi();
        app.MapDownloads();
        app.MapWebhookSecretsApi();
        app.MapNotebooksApi();
        app.MapUsageApi();
        app.MapProvidersApi();
        return app;
    }

    /// <summary>Every configuration problem, from every options type the server validates (empty when none).</summary>
    public static IReadOnlyList<string> ConfigurationProblems(WebApplication app)
    {
        var problems = new List<string>();
        Check<ServerOptions>(app, problems);
        Check<EngineOptions>(app, problems);
        Check<EmailValidationOptions>(app, problems);
        Check<OutboundOptions>(app, problems);
        Check<WebhookOptions>(app, problems);
        Check<EnrichmentOptions>(app, problems);
        Check<ProvidersConfiguration>(app, problems);
        return problems;
    }

    private static void Check<TOptions>(WebApplication app, List<string> problems)
        where TOptions : class
    {
        try
        {
            _ = app.Services.GetRequiredService<IOptions<TOptions>>().Value;
        }
        catch (OptionsValidationException e)
        {
            problems.AddRange(e.Failures);
        }
        catch (InvalidOperationException e)
        {
            problems.Add(e.Message);
        }
    }

    /// <summary>Migrates the store and, on first start, creates org <c>default</c> and its key. Returns that key when it was created.</summary>
    public static async Task<string?> PrepareAsync(WebApplication app, CancellationToken cancellationToken)
    {
        var accounts = app.Services.GetRequiredService<IAccountStore>();
        await accounts.MigrateAsync(cancellationToken);
        if (await accounts.HasAnyOrganizationAsync(cancellationToken))
        {
            return null;
        }

        var options = app.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
        var key = await ApiKeys.CreateAsync(accounts, "default", readOnly: false, TimeProvider.System.GetUtcNow(), cancellationToken);
        PrivateFile.Write(Path.Combine(options.DataDirectory, "initial-api-key"), key + "\n");
        return key;
    }

    public static IServiceCollection AddEnrichflowServer(this IServiceCollection services, IConfiguration configuration, string dataDirectory)
    {
        services.AddOptions<ServerOptions>()
            .Bind(configuration)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ServerOptions>>(new ProblemListValidator<ServerOptions>(o => o.Validate()));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new SqliteStore(Path.Combine(dataDirectory, "enrichflow.db")));
        services.AddSingleton<IAccountStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IWorkflowStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IRunStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IKeyIndexStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IWebhookDeliveryStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<INotebookStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IExportLedger>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IProviderCache>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IUsageStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IRunEndListener, EnrichmentRunEnd>();
        services.AddSingleton<Estimates.WorkflowEstimator>();
        services.AddHostedService<ProviderCacheCleanup>();
        services.AddSingleton<IRunEndListener, ExportLedgerCleanup>();
        services.AddSingleton<IBlobStore>(sp => new LocalDiskBlobStore(Path.Combine(dataDirectory, "blobs"), sp.GetRequiredService<IOptions<ServerOptions>>().Value.FlushBlobsToDisk));
        services.AddSingleton(sp => new DownloadSigner(
            DownloadSigner.LoadOrCreateSecret(dataDirectory, sp.GetRequiredService<IOptions<ServerOptions>>().Value.Downloads.Secret),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ISigningSecretStore>(sp =>
        {
            _ = sp.GetRequiredService<DownloadSigner>(); // creates the server secret first, so both read the same one
            var serverSecret = DownloadSigner.LoadOrCreateSecret(dataDirectory, sp.GetRequiredService<IOptions<ServerOptions>>().Value.Downloads.Secret);
            return sp.GetRequiredService<SqliteStore>().UseSigningSecretKey(WebhookSecretsApi.DeriveEncryptionKey(serverSecret));
        });

        services.AddEnrichflowBlocks();
        services.AddEnrichflowValidation(o => configuration.GetSection("Email").Bind(o));
        services.AddEnrichflowOutbound(o => configuration.GetSection("Outbound").Bind(o));
        services.AddEnrichflowEnrichment(o => configuration.GetSection("Enrichment").Bind(o));
        services.AddEnrichflowProviders(configuration.GetSection("Providers"), dataDirectory);
        services.AddEnrichflowEngine(o => configuration.GetSection("Engine").Bind(o));
        services.AddEnrichflowWebhooks(configuration);

        services.AddSingleton<ApiKeyFilter>();
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.DictionaryKeyPolicy = null;
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
            o.SerializerOptions.Converters.Add(new UtcTimeConverter());
        });
        services.AddKeyRateLimiting();
        services.AddOpenApi();
        services.AddProblemDetails();
        return services;
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

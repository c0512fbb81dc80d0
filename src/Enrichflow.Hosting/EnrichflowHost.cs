using Enrichflow.Blocks;
using Enrichflow.Blocks.Validation;
using Enrichflow.Core.Storage;
using Enrichflow.Engine;
using Enrichflow.Engine.Estimates;
using Enrichflow.Engine.Execution;
using Enrichflow.Hosting.Cleanup;
using Enrichflow.Hosting.Duties;
using Enrichflow.Hosting.Interactive;
using Enrichflow.Hosting.Results;
using Enrichflow.Hosting.Retention;
using Enrichflow.Hosting.Schedules;
using Enrichflow.Hosting.Webhooks;
using Enrichflow.Providers;
using Enrichflow.Providers.Limits;
using Enrichflow.Providers.Outbound;
using Enrichflow.Storage.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Enrichflow.Hosting;

/// <summary>
/// The composition root every Enrichflow process builds on (<c>serve</c> adds the HTTP API on top): the embedded
/// store and blobs, providers, blocks, the engine and every background duty (webhook sender, clean-ups, run-end
/// listeners). Nothing here knows HTTP.
/// </summary>
public static class EnrichflowHost
{
    /// <summary>The data directory: the one given, else <c>ENRICHFLOW_DataDirectory</c>, else <c>./.enrichflow</c>; made absolute and created.</summary>
    public static string ResolveDataDirectory(string? given)
    {
        var directory = Path.GetFullPath(given ?? Environment.GetEnvironmentVariable("ENRICHFLOW_DataDirectory") ?? ".enrichflow");
        Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>
    /// Reads configuration in docs/api.md §9 order into <paramref name="configuration"/> (the data directory's
    /// <c>enrichflow.json</c>, <paramref name="configFile"/>, <c>ENRICHFLOW_</c> variables), then applies
    /// <paramref name="overrides"/>, which win over every source.
    /// </summary>
    public static void Configure(ConfigurationManager configuration, string dataDirectory, string? configFile, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        configuration.AddEnrichflowSources(dataDirectory, configFile);
        configuration["DataDirectory"] = dataDirectory;
        foreach (var (key, value) in overrides ?? [])
        {
            configuration[key] = value;
        }
    }

    /// <summary>Every part of Enrichflow on the embedded default (SQLite + local disk + in-process dispatcher).</summary>
    public static IServiceCollection AddEnrichflow(this IServiceCollection services, IConfiguration configuration, string dataDirectory)
    {
        services.AddCheckedOptions<EnrichflowOptions>(o => o.Validate())
            .Bind(configuration);
        services.AddSingleton(TimeProvider.System);

        services.AddSingleton(sp => ServerSecret.LoadOrCreate(dataDirectory, sp.GetRequiredService<IOptions<EnrichflowOptions>>().Value.Downloads.Secret));
        services.AddStore(configuration, dataDirectory);
        services.AddBlobs(configuration, dataDirectory);
        services.AddSingleton(sp => new DownloadSigner(sp.GetRequiredService<ServerSecret>().Bytes, sp.GetRequiredService<TimeProvider>()));

        services.AddBlocks(configuration);
        services.AddProviders(configuration, dataDirectory);
        if (configuration.GetValue<bool?>($"{SharedLimitsOptions.Section}:Enabled") ?? StoreSetup.PostgresConnectionString(configuration) is not null)
        {
            // Several processes share a PostgreSQL store: each provider's limits hold for all of them (docs/api.md §9).
            services.AddSharedProviderLimits(o => configuration.GetSection(SharedLimitsOptions.Section).Bind(o));
        }

        services.AddDispatch(configuration);
        services.AddEngine(configuration);
        services.AddSingleton<WorkflowEstimator>();
        services.AddDuties(configuration);
        services.AddEnrichflowWebhooks(configuration);
        services.AddCleanups();
        services.AddSingleton<Orgs.OrgAdmission>();
        services.AddSchedules();
        services.AddInteractiveSessions(configuration);
        services.AddRetention(configuration);
        return services;
    }

    /// <summary>
    /// Every configuration problem of every options type registered by <see cref="AddEnrichflow"/>, then those
    /// <paramref name="more"/> adds (an HTTP host's own options); empty when none.
    /// </summary>
    public static IReadOnlyList<string> ConfigurationProblems(IServiceProvider services, Action<List<string>>? more = null)
    {
        var problems = new List<string>();
        Check<EnrichflowOptions>(services, problems);
        problems.AddRange(StoreSetup.Problems(services.GetRequiredService<IConfiguration>()));
        problems.AddRange(BlobsSetup.Problems(services.GetRequiredService<IConfiguration>()));
        more?.Invoke(problems);
        Check<EngineOptions>(services, problems);
        var beforeDispatch = problems.Count;
        Check<DispatchOptions>(services, problems);
        // Dispatch options that failed their own checks were reported just above (reading them again would throw).
        if (problems.Count == beforeDispatch && services.GetRequiredService<IOptions<DispatchOptions>>().Value.IsHangfire)
        {
            Check<Dispatch.Hangfire.HangfireDispatchOptions>(services, problems);
        }
        Check<Core.Blocks.InputLimits>(services, problems);
        Check<Engine.Results.ResultsOptions>(services, problems);
        Check<Duties.DutyOptions>(services, problems);
        Check<Interactive.InteractiveOptions>(services, problems);
        Check<Retention.RetentionOptions>(services, problems);
        Check<EmailValidationOptions>(services, problems);
        Check<OutboundOptions>(services, problems);
        Check<WebhookOptions>(services, problems);
        Check<EnrichmentOptions>(services, problems);
        Check<Providers.Orgs.OrgLimitsOptions>(services, problems);
        Check<ProvidersOptions>(services, problems);
        return problems;
    }

    /// <summary>Adds to <paramref name="problems"/> what is wrong with the options of type <typeparamref name="TOptions"/>.</summary>
    public static void Check<TOptions>(IServiceProvider services, List<string> problems)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(problems);
        try
        {
            _ = services.GetRequiredService<IOptions<TOptions>>().Value;
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

    /// <summary>
    /// Checks the blob store (an S3 bucket must exist and take the credentials: <see cref="BlobsSetup.CheckBlobsAsync"/>,
    /// which throws an <see cref="IOException"/> naming the setting), migrates the store and, on first start, creates
    /// org <c>default</c> and its key. Returns that key when it was created.
    /// </summary>
    public static async Task<string?> PrepareAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await BlobsSetup.CheckBlobsAsync(services, cancellationToken);
        await StoreSetup.MigrateAsync(services, services.GetRequiredService<IConfiguration>(), cancellationToken);
        var accounts = services.GetRequiredService<IAccountStore>();
        if (await accounts.HasAnyOrganizationAsync(cancellationToken))
        {
            return null;
        }

        var options = services.GetRequiredService<IOptions<EnrichflowOptions>>().Value;
        var key = await ApiKeys.CreateAsync(accounts, "default", readOnly: false, TimeProvider.System.GetUtcNow(), cancellationToken);
        PrivateFile.Write(Path.Combine(options.DataDirectory, "initial-api-key"), key + "\n");
        return key;
    }

    /// <summary>Schedules (docs/api.md §10): the scheduler on the system clock, and the runs it starts.</summary>
    private static IServiceCollection AddSchedules(this IServiceCollection services)
    {
        services.AddSingleton(new SchedulerClock(TimeProvider.System));
        services.AddSingleton<ScheduledRuns>();
        services.AddSingleton<Scheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<Scheduler>());
        return services;
    }

    /// <summary>Duty leases (docs/architecture.md §5): the <c>Duties</c> options, validated at start, and this node's <see cref="DutyLeases"/>.</summary>
    private static IServiceCollection AddDuties(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCheckedOptions<DutyOptions>(o => o.Validate())
            .Bind(configuration.GetSection(DutyOptions.Section));
        services.AddSingleton<DutyLeases>();
        return services;
    }

    private static IServiceCollection AddCleanups(this IServiceCollection services)
    {
        services.AddSingleton<IRunEndListener, EnrichmentRunEnd>();
        services.AddSingleton<IRunEndListener, BlockRunEndCleanup>();
        services.AddHostedService<ProviderCacheCleanup>();
        return services;
    }
}

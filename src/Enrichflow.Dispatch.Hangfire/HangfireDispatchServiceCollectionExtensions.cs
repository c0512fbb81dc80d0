using Enrichflow.Core.Storage;
using Enrichflow.Engine;
using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Enrichflow.Dispatch.Hangfire;

public static class HangfireDispatchServiceCollectionExtensions
{
    /// <summary>
    /// Carries work units through Hangfire on PostgreSQL instead of the embedded dispatcher, and (unless
    /// <paramref name="runWorker"/> is false) runs a Hangfire server here whose workers run units. Call it before
    /// <see cref="EngineServiceCollectionExtensions.AddEnrichflowEngine"/>, which then adds no embedded dispatcher.
    /// </summary>
    public static IServiceCollection AddHangfireDispatcher(this IServiceCollection services, Action<HangfireDispatchOptions> configure, bool runWorker = true)
    {
        services.AddCheckedOptions<HangfireDispatchOptions>(o => o.Validate()).Configure(configure);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddTransient<UnitJob>();
        services.AddHangfire((sp, configuration) =>
        {
            var options = sp.GetRequiredService<IOptions<HangfireDispatchOptions>>().Value;
            configuration
                .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings()
                .UsePostgreSqlStorage(
                    connection => connection.UseNpgsqlConnection(options.ConnectionString),
                    new PostgreSqlStorageOptions
                    {
                        SchemaName = options.Schema,
                        InvisibilityTimeout = options.InvisibilityTimeout,
                        UseSlidingInvisibilityTimeout = true,
                        QueuePollInterval = options.QueuePollInterval,
                        EnableLongPolling = true,
                        PrepareSchemaIfNecessary = true,
                    });
        });
        if (runWorker)
        {
            services.AddHangfireServer((sp, server) =>
            {
                server.Queues = [sp.GetRequiredService<IOptions<HangfireDispatchOptions>>().Value.Queue];
                server.WorkerCount = HangfireDispatcher.WorkerThreads(sp.GetRequiredService<IOptions<EngineOptions>>().Value);
                server.ServerName = sp.GetRequiredService<IOptions<EngineOptions>>().Value.NodeName;
            });
        }

        services.TryAddSingleton<HangfireDispatcher>();
        services.TryAddSingleton<IWorkDispatcher>(sp => sp.GetRequiredService<HangfireDispatcher>());
        services.AddHostedService(sp => sp.GetRequiredService<HangfireDispatcher>());
        return services;
    }
}

using Enrichflow.Core.Blocks;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.Dispatch;
using Enrichflow.Engine.Execution;
using Enrichflow.Engine.Results;
using Enrichflow.Engine.Status;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Enrichflow.Engine;

public static class EngineServiceCollectionExtensions
{
    /// <summary>The engine with the options of the <c>Engine</c> section of <paramref name="configuration"/>.</summary>
    public static IServiceCollection AddEngine(this IServiceCollection services, IConfiguration configuration)
    {
        // The input caps (docs/api.md §9 Limits:*): record size for every reader, definition size for the validator.
        services.AddOptions<InputLimits>().Configure(o => configuration.GetSection(InputLimits.Section).Bind(o));
        services.AddOptions<ResultsOptions>().Configure(o => configuration.GetSection(ResultsOptions.Section).Bind(o));
        return services.AddEnrichflowEngine(o => configuration.GetSection("Engine").Bind(o));
    }

    /// <summary>
    /// Adds the engine with the embedded in-process dispatcher. Block types are the <see cref="BlockType"/>
    /// services registered by the caller; a store and blob store must be registered too.
    /// </summary>
    public static IServiceCollection AddEnrichflowEngine(this IServiceCollection services, Action<EngineOptions>? configure = null)
    {
        services.AddCheckedOptions<EngineOptions>(o => o.Validate())
            .Configure(o => configure?.Invoke(o));
        services.AddCheckedOptions<InputLimits>(o => o.Validate());
        services.AddCheckedOptions<ResultsOptions>(o => o.Validate());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new BlockRegistry(sp.GetServices<BlockType>()));
        services.TryAddSingleton<RunPlans>();
        services.TryAddSingleton<RunCoordinator>();
        services.TryAddSingleton<UnitExecutor>();
        services.TryAddSingleton<ResultAssembler>();
        services.TryAddSingleton<ChunkReplay>();
        services.TryAddSingleton<ResultRenderer>();
        services.TryAddSingleton<Status.ChunkProgress>();
        services.TryAddSingleton<Status.ProgressFloor>();
        services.TryAddSingleton(sp => new ChunkHandoff(capacity: 4 * sp.GetRequiredService<IOptions<EngineOptions>>().Value.Workers));
        services.TryAddSingleton<LiveStatusReader>();
        services.TryAddSingleton<RunLauncher>();
        services.TryAddSingleton<Interactive.InteractiveRuns>();
        services.TryAddSingleton<UnitRunner>();
        services.TryAddSingleton<RunSpans>();
        services.TryAddSingleton<Core.Diagnostics.EnrichflowMetrics>();
        if (!services.Any(d => d.ServiceType == typeof(IWorkDispatcher)))
        {
            // The embedded dispatcher, unless a distributed one was added first (Dispatch.Hangfire).
            services.TryAddSingleton<InProcessDispatcher>();
            services.TryAddSingleton<IWorkDispatcher>(sp => sp.GetRequiredService<InProcessDispatcher>());
            services.AddHostedService(sp => sp.GetRequiredService<InProcessDispatcher>());
        }
        return services;
    }
}

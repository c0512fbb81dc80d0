using Enrichflow.Core.Diagnostics;
using Enrichflow.Core.Storage;
using Enrichflow.Engine;
using Enrichflow.Engine.Dispatch;
using Enrichflow.Engine.Execution;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Enrichflow.Dispatch.Hangfire;

/// <summary>
/// The distributed dispatcher (docs/architecture.md §5): every node claims ready units from the store, as the
/// embedded dispatcher does, but hands each to Hangfire as a <see cref="UnitJob"/> instead of running it itself, so
/// whichever worker of the cluster is free runs it. The unit table stays the source of truth; Hangfire carries only
/// "run unit X under lease L". No more jobs wait or run than about <see cref="HangfireDispatchOptions.JobsPerWorker"/>
/// per worker thread of the cluster, so a cancel, a new run or a fairer claim order acts within a few units.
/// </summary>
public sealed partial class HangfireDispatcher(
    IRunStore store,
    IServiceProvider services,
    UnitRunner runner,
    JobStorage storage,
    IBackgroundJobClient jobs,
    IOptions<EngineOptions> engine,
    IOptions<HangfireDispatchOptions> hangfire,
    TimeProvider time,
    ILogger<HangfireDispatcher> logger) : BackgroundService, IWorkDispatcher
{
    private static readonly TimeSpan WorkerCountAge = TimeSpan.FromSeconds(5);

    private readonly EngineOptions _engine = engine.Value;
    private readonly HangfireDispatchOptions _options = hangfire.Value;
    private readonly DispatchPacer _pacer = new(time);
    private (DateTimeOffset At, int Workers) _workers = (DateTimeOffset.MinValue, 0);

    /// <summary>The worker threads this node gives Hangfire: one per unit it may run at once, CPU or waiting on providers.</summary>
    public static int WorkerThreads(EngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Workers + options.IoWorkers;
    }

    public void NotifyWorkAvailable() => _pacer.Wake();

    /// <summary>Aborts the run's units running on this node; on other nodes they stop at their next lease renewal or commit.</summary>
    public ValueTask AbortRunAsync(Guid runId, CancellationToken cancellationToken)
    {
        runner.Abort(runId);
        return ValueTask.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var coordinator = services.GetRequiredService<RunCoordinator>();
        // Other nodes may hold leases: nothing is expired at start; a dead node's units run out their leases.
        await coordinator.RecoverAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            _pacer.BeginPass();
            try
            {
                await _pacer.RunDueDutiesAsync(coordinator, stoppingToken);
                if (!await FeedAsync(stoppingToken))
                {
                    _pacer.RanDry();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LogLoopError(logger, e);
            }

            try
            {
                await _pacer.WaitAsync(_engine.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Claims ready units and enqueues a job for each while the cluster has room for more; false when no unit was ready.</summary>
    private async Task<bool> FeedAsync(CancellationToken cancellationToken)
    {
        var monitoring = storage.GetMonitoringApi();
        var room = (long)_options.JobsPerWorker * ClusterWorkers(monitoring) - monitoring.EnqueuedCount(_options.Queue) - monitoring.ProcessingCount();
        for (; room > 0; room--)
        {
            var unit = await store.ClaimUnitAsync(_engine.NodeName, _engine.Lease, time.GetUtcNow(), runner.RemoteBoundToSkip(), cancellationToken);
            if (unit is null)
            {
                return false;
            }

            // A unit whose job cannot be created runs out its lease and is claimed again.
            var args = UnitJobArgs.Of(unit);
            jobs.Create(Job.FromExpression<UnitJob>(job => job.RunAsync(args, CancellationToken.None)), new EnqueuedState(_options.Queue));
        }

        return true;
    }

    /// <summary>The worker threads of the Hangfire servers that serve the units' queue (this node's until it has announced itself).</summary>
    private int ClusterWorkers(global::Hangfire.Storage.IMonitoringApi monitoring)
    {
        var now = time.GetUtcNow();
        if (now - _workers.At > WorkerCountAge)
        {
            var announced = monitoring.Servers().Where(s => s.Queues.Contains(_options.Queue)).Sum(s => s.WorkersCount);
            _workers = (now, Math.Max(announced, WorkerThreads(_engine)));
        }

        return _workers.Workers;
    }

    [LoggerMessage(EventId = LogEvents.HangfireDispatchLoopError, Level = LogLevel.Error, Message = "Hangfire dispatcher loop error")]
    private static partial void LogLoopError(ILogger logger, Exception exception);
}

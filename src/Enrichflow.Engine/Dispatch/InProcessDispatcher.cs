using System.Collections.Concurrent;
using Enrichflow.Core.Retries;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.Execution;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using Enrichflow.Core.Diagnostics;

namespace Enrichflow.Engine.Dispatch;

/// <summary>
/// The embedded dispatcher: claims ready units from the store and runs up to <see cref="EngineOptions.Workers"/>
/// of them at once in this process. Each unit runs under a lease that is renewed while it works; losing the
/// lease or a cancel aborts it.
/// </summary>
public sealed partial class InProcessDispatcher(
    IRunStore store,
    IServiceProvider services,
    UnitRunner runner,
    IOptions<EngineOptions> options,
    TimeProvider time,
    ILogger<InProcessDispatcher> logger) : BackgroundService, IWorkDispatcher
{
    private readonly EngineOptions _options = options.Value;
    private readonly DispatchPacer _pacer = new(time);

    public void NotifyWorkAvailable() => _pacer.Wake();

    public ValueTask AbortRunAsync(Guid runId, CancellationToken cancellationToken)
    {
        runner.Abort(runId);
        return ValueTask.CompletedTask;
    }

    /// <summary>Units running in this process now.</summary>
    public int InFlightCount => runner.InFlightCount;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var coordinator = services.GetRequiredService<RunCoordinator>();
        KeepThreadsForRequests(_options.Workers);
        await store.ExpireAllLeasesAsync(time.GetUtcNow(), stoppingToken);
        await coordinator.RecoverAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            _pacer.BeginPass();
            try
            {
                while (true)
                {
                    var slot = await runner.TakeSlotAsync(stoppingToken);
                    ClaimedUnit? unit;
                    try
                    {
                        await _pacer.RunDueDutiesAsync(coordinator, stoppingToken);
                        unit = await store.ClaimUnitAsync(_options.NodeName, _options.Lease, time.GetUtcNow(), runner.RemoteBoundToSkip(), stoppingToken);
                    }
                    catch
                    {
                        // The slot goes back before the loop reports the error: a store error must not cost a worker.
                        slot.Release();
                        throw;
                    }

                    if (unit is null)
                    {
                        slot.Release();
                        _pacer.RanDry();
                        break;
                    }

                    _ = runner.RunAsync(unit, slot, stoppingToken);
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
                await _pacer.WaitAsync(_options.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>
    /// Units run their CPU-bound stretches (a chunk through its blocks) on thread-pool threads, and the pool starts
    /// only as many threads without delay as there are cores; with <see cref="EngineOptions.Workers"/> at the core
    /// count, busy units held every one of them and HTTP requests (live status polls) queued behind them until the
    /// pool added threads (about one per half second). The pool's minimum is raised by the worker count, so that
    /// many threads beyond the units' stay free for requests.
    /// </summary>
    private static void KeepThreadsForRequests(int workers)
    {
        ThreadPool.GetMinThreads(out var minimum, out var io);
        var wanted = Environment.ProcessorCount + workers;
        if (minimum < wanted)
        {
            ThreadPool.SetMinThreads(wanted, io);
        }
    }

    [LoggerMessage(EventId = LogEvents.DispatcherLoopError, Level = LogLevel.Error, Message = "Dispatcher loop error")]
    private static partial void LogLoopError(ILogger logger, Exception exception);
}

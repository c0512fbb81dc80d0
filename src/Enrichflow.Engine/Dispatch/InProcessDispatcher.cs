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
    IOptions<EngineOptions> options,
    TimeProvider time,
    ILogger<InProcessDispatcher> logger) : BackgroundService, IWorkDispatcher
{
    private static readonly TimeSpan StartInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(5);

    /// <summary>The wait before a failed unit runs again: 2 s after its first attempt, doubling, without jitter.</summary>
    private static readonly Backoff UnitBackoff = Backoff.Uncapped(TimeSpan.FromSeconds(2), jitter: 0);

    private readonly EngineOptions _options = options.Value;
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private readonly ConcurrentDictionary<ClaimedUnit, CancellationTokenSource> _inFlight = new();

    /// <summary>Blocks whose units wait on remote calls, with when one last did: skipped by claims while the I/O pool is full.</summary>
    private readonly ConcurrentDictionary<UnitHead, DateTimeOffset> _remoteBound = new();
    private int _wakePending;

    public void NotifyWorkAvailable()
    {
        if (Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            _wake.Release();
        }
    }

    public ValueTask AbortRunAsync(Guid runId, CancellationToken cancellationToken)
    {
        foreach (var (unit, cts) in _inFlight)
        {
            if (unit.Key.RunId == runId)
            {
                cts.Cancel();
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Units running in this process now.</summary>
    public int InFlightCount => _inFlight.Count;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var coordinator = services.GetRequiredService<RunCoordinator>();
        KeepThreadsForRequests(_options.Workers);
        await store.ExpireAllLeasesAsync(time.GetUtcNow(), stoppingToken);
        await coordinator.RecoverAsync(stoppingToken);
        using var slots = new SemaphoreSlim(_options.Workers, _options.Workers);
        using var ioSlots = new SemaphoreSlim(_options.IoWorkers, _options.IoWorkers);
        var lastSweep = time.GetUtcNow();
        var lastStart = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            Interlocked.Exchange(ref _wakePending, 0);
            try
            {
                while (true)
                {
                    await slots.WaitAsync(stoppingToken);
                    // Queued runs start while other runs still have work, not only when this loop runs dry.
                    if (time.GetUtcNow() - lastStart >= StartInterval)
                    {
                        lastStart = time.GetUtcNow();
                        await coordinator.StartQueuedRunsAsync(stoppingToken);
                    }

                    if (time.GetUtcNow() - lastSweep > SweepInterval)
                    {
                        lastSweep = time.GetUtcNow();
                        await coordinator.SweepAsync(stoppingToken);
                    }

                    var unit = await store.ClaimUnitAsync(_options.NodeName, _options.Lease, time.GetUtcNow(), RemoteBoundToSkip(ioSlots), stoppingToken);
                    if (unit is null)
                    {
                        slots.Release();
                        lastStart = DateTimeOffset.MinValue;
                        break;
                    }

                    _ = RunUnitAsync(unit, new WorkerSlot(slots, ioSlots), stoppingToken);
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
                await _wake.WaitAsync(_options.PollInterval, stoppingToken);
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

    /// <summary>While every I/O slot is taken, units of blocks known to wait on remote calls are left for later, so CPU workers serve other runs.</summary>
    private IReadOnlyCollection<UnitHead> RemoteBoundToSkip(SemaphoreSlim ioSlots)
    {
        if (_remoteBound.IsEmpty)
        {
            return [];
        }

        var now = time.GetUtcNow();
        foreach (var (head, seen) in _remoteBound)
        {
            if (now - seen > TimeSpan.FromMinutes(30))
            {
                _remoteBound.TryRemove(head, out _);
            }
        }

        return ioSlots.CurrentCount == 0 ? [.. _remoteBound.Keys] : [];
    }

    private async Task RunUnitAsync(ClaimedUnit unit, WorkerSlot slot, CancellationToken stoppingToken)
    {
        WorkerSlot.Current = slot;
        using var timeout = new CancellationTokenSource(_options.UnitTimeout, time);
        var head = new UnitHead(unit.Key.RunId, unit.Key.BlockId);
        slot.OnMove = () =>
        {
            _remoteBound[head] = time.GetUtcNow();
            // A unit that waits on providers is paced by them (each call has its own timeout and retries), and may
            // rightly take longer than Engine:UnitTimeout when the provider is slow or shared by many runs.
            timeout.CancelAfter(Timeout.InfiniteTimeSpan);
        };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token);
        _inFlight[unit] = cts;
        var renewal = RenewWhileRunningAsync(unit, cts);
        try
        {
            await Task.Yield();
            var executor = services.GetRequiredService<UnitExecutor>();
            await executor.ExecuteAsync(unit, cts.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            // A unit that hangs (a block that never returns) is given up and tried again, like any failure.
            await HandleFailureAsync(unit, new TimeoutException($"the unit did not finish within {_options.UnitTimeout} (Engine:UnitTimeout)."), stoppingToken);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            // Aborted (cancel, lost lease or shutdown): the unit is left to its lease.
        }
        catch (Exception e)
        {
            await HandleFailureAsync(unit, e, stoppingToken);
        }
        finally
        {
            _inFlight.TryRemove(unit, out _);
            await cts.CancelAsync();
            try
            {
                await renewal;
            }
            catch (Exception e)
            {
                LogLoopError(logger, e);
            }

            slot.Release();
            NotifyWorkAvailable();
        }
    }

    private async Task RenewWhileRunningAsync(ClaimedUnit unit, CancellationTokenSource cts)
    {
        while (!cts.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.Lease / 3, time, cts.Token);
                if (!await store.RenewLeaseAsync(unit, _options.Lease, time.GetUtcNow(), cts.Token))
                {
                    LogLeaseLost(logger, unit.Key);
                    await cts.CancelAsync();
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e)
            {
                // A store error is not a lost lease: try again at the next beat; if the lease runs out meanwhile,
                // the commit is refused and the unit runs again elsewhere.
                LogRenewalFailed(logger, unit.Key, e);
            }
        }
    }

    private async Task HandleFailureAsync(ClaimedUnit unit, Exception error, CancellationToken stoppingToken)
    {
        var coordinator = services.GetRequiredService<RunCoordinator>();
        var (blockId, cause) = error is BlockFailedException failed ? (failed.BlockId, failed.InnerException!) : (unit.Key.BlockId, error);
        var permanent = UnitFailures.IsPermanent(cause);
        if (cause is Core.Blocks.SourceFormatException or Core.Blocks.MissingColumnException)
        {
            LogInputRejected(logger, unit.Key, cause.Message);
        }
        else
        {
            LogUnitFailed(logger, unit.Key, unit.Attempt, cause);
        }

        try
        {
            if (!permanent && unit.Attempt < _options.MaxAttempts)
            {
                // Retry after a short back-off: let the lease run out soon instead of at its full length.
                var backoff = UnitBackoff.Delay(unit.Attempt - 1);
                await store.RenewLeaseAsync(unit, backoff, time.GetUtcNow(), stoppingToken);
                return;
            }

            await store.FailUnitAsync(unit, cause.Message, time.GetUtcNow(), stoppingToken);
            await coordinator.FailAsync(unit.Key.RunId, blockId, UnitFailures.Describe(unit.Key with { BlockId = blockId }, cause), stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogLoopError(logger, e);
        }
    }

    [LoggerMessage(EventId = LogEvents.LeaseRenewalFailed, Level = LogLevel.Warning, Message = "Renewing the lease of unit {Unit} failed; trying again")]
    private static partial void LogRenewalFailed(ILogger logger, UnitKey unit, Exception exception);

    [LoggerMessage(EventId = LogEvents.DispatcherLoopError, Level = LogLevel.Error, Message = "Dispatcher loop error")]
    private static partial void LogLoopError(ILogger logger, Exception exception);

    [LoggerMessage(EventId = LogEvents.UnitLeaseLost, Level = LogLevel.Warning, Message = "Unit {Unit} lost its lease and was aborted")]
    private static partial void LogLeaseLost(ILogger logger, UnitKey unit);

    [LoggerMessage(EventId = LogEvents.UnitInputRejected, Level = LogLevel.Warning, Message = "Unit {Unit} cannot read its input: {Reason}")]
    private static partial void LogInputRejected(ILogger logger, UnitKey unit, string reason);

    [LoggerMessage(EventId = LogEvents.UnitFailed, Level = LogLevel.Warning, Message = "Unit {Unit} failed on attempt {Attempt}")]
    private static partial void LogUnitFailed(ILogger logger, UnitKey unit, int attempt, Exception exception);
}

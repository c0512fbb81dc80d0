using System.Collections.Concurrent;
using System.Diagnostics;
using Enrichflow.Core.Diagnostics;
using Enrichflow.Core.Retries;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.Execution;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Enrichflow.Engine.Dispatch;

/// <summary>
/// Runs claimed units in this process, whichever dispatcher brought them (the embedded one claims them itself; a
/// distributed one is handed them by its job engine): the node's CPU and I/O slots, the units in flight (so a cancel
/// aborts them), lease renewal, the unit timeout and what a failure does.
/// </summary>
public sealed partial class UnitRunner(
    IRunStore store,
    IServiceProvider services,
    RunSpans spans,
    IOptions<EngineOptions> options,
    TimeProvider time,
    ILogger<UnitRunner> logger)
{
    /// <summary>The wait before a failed unit runs again: 2 s after its first attempt, doubling, without jitter.</summary>
    private static readonly Backoff UnitBackoff = Backoff.Uncapped(TimeSpan.FromSeconds(2), jitter: 0);

    private readonly EngineOptions _options = options.Value;
    private readonly ConcurrentDictionary<ClaimedUnit, CancellationTokenSource> _inFlight = new();

    /// <summary>Blocks whose units wait on remote calls, with when one last did: skipped by claims while the I/O pool is full.</summary>
    private readonly ConcurrentDictionary<UnitHead, DateTimeOffset> _remoteBound = new();

    /// <summary>The CPU slots (<see cref="EngineOptions.Workers"/>): a unit takes one before it runs.</summary>
    internal SemaphoreSlim CpuSlots { get; } = new(options.Value.Workers, options.Value.Workers);

    /// <summary>The I/O slots (<see cref="EngineOptions.IoWorkers"/>) units move to while they wait on remote calls.</summary>
    internal SemaphoreSlim IoSlots { get; } = new(options.Value.IoWorkers, options.Value.IoWorkers);

    private IWorkDispatcher Dispatcher => services.GetRequiredService<IWorkDispatcher>();

    /// <summary>Units running in this process now.</summary>
    public int InFlightCount => _inFlight.Count;

    /// <summary>Waits for a CPU slot; the slot is the unit's until <see cref="RunAsync"/> ends.</summary>
    internal async Task<WorkerSlot> TakeSlotAsync(CancellationToken cancellationToken)
    {
        await CpuSlots.WaitAsync(cancellationToken);
        return new WorkerSlot(CpuSlots, IoSlots);
    }

    /// <summary>
    /// Waits for a CPU slot, then runs the unit in it (as <see cref="RunAsync"/>) when <paramref name="stillOurs"/>,
    /// asked once the slot is taken, says the unit is still this attempt's to run; a distributed dispatcher's job does
    /// this with a unit claimed before it waited in the job queue.
    /// </summary>
    public async Task RunInSlotAsync(ClaimedUnit unit, Func<CancellationToken, Task<bool>> stillOurs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stillOurs);
        var slot = await TakeSlotAsync(cancellationToken);
        bool ours;
        try
        {
            ours = await stillOurs(cancellationToken);
        }
        catch
        {
            slot.Release();
            throw;
        }

        if (!ours)
        {
            slot.Release();
            return;
        }

        await RunAsync(unit, slot, cancellationToken);
    }

    /// <summary>Aborts the run's units running in this process (cancel, pause).</summary>
    public void Abort(Guid runId)
    {
        foreach (var (unit, cts) in _inFlight)
        {
            if (unit.Key.RunId == runId)
            {
                cts.Cancel();
            }
        }
    }

    /// <summary>While every I/O slot is taken, units of blocks known to wait on remote calls are left for later, so CPU workers serve other runs.</summary>
    public IReadOnlyCollection<UnitHead> RemoteBoundToSkip()
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

        return IoSlots.CurrentCount == 0 ? [.. _remoteBound.Keys] : [];
    }

    /// <summary>
    /// Runs one claimed unit in <paramref name="slot"/> (which it releases at the end): renews its lease while it works,
    /// gives it up after <see cref="EngineOptions.UnitTimeout"/>, and records a failure as a retry (after a back-off)
    /// or, when it is permanent or the attempts are used up, as the failure of its run.
    /// </summary>
    internal async Task RunAsync(ClaimedUnit unit, WorkerSlot slot, CancellationToken stoppingToken)
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
        // The unit's span (a child of its run's) and its log scope: every line logged while it runs names it.
        using var activity = EnrichflowActivities.Source.StartActivity("enrichflow.unit", ActivityKind.Internal, spans.ParentOf(unit.Key.RunId));
        activity?.SetTag("enrichflow.run_id", unit.Key.RunId.ToString());
        activity?.SetTag("enrichflow.unit", unit.Key.ToString());
        activity?.SetTag("enrichflow.block_id", unit.Key.BlockId);
        using var scope = logger.BeginScope(new UnitLogScope(unit.Key));
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
                LogRunnerError(logger, e);
            }

            slot.Release();
            Dispatcher.NotifyWorkAvailable();
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
                else if (await store.GetRunAsync(unit.Key.RunId, cts.Token) is not { } run || run.Status is RunStatus.Cancelled or RunStatus.Failed)
                {
                    // Cancelled or failed on another node, whose abort reaches only its own units (a paused run's
                    // units finish the calls under way, as everywhere).
                    LogRunStopped(logger, unit.Key);
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
            LogRunnerError(logger, e);
        }
    }

    [LoggerMessage(EventId = LogEvents.LeaseRenewalFailed, Level = LogLevel.Warning, Message = "Renewing the lease of unit {Unit} failed; trying again")]
    private static partial void LogRenewalFailed(ILogger logger, UnitKey unit, Exception exception);

    [LoggerMessage(EventId = LogEvents.UnitRunnerError, Level = LogLevel.Error, Message = "Recording a unit's end failed (its lease runs out and it is claimed again)")]
    private static partial void LogRunnerError(ILogger logger, Exception exception);

    [LoggerMessage(EventId = LogEvents.UnitLeaseLost, Level = LogLevel.Warning, Message = "Unit {Unit} lost its lease and was aborted")]
    private static partial void LogLeaseLost(ILogger logger, UnitKey unit);

    [LoggerMessage(EventId = LogEvents.UnitRunStopped, Level = LogLevel.Information, Message = "Unit {Unit} was aborted: its run was cancelled or failed")]
    private static partial void LogRunStopped(ILogger logger, UnitKey unit);

    [LoggerMessage(EventId = LogEvents.UnitInputRejected, Level = LogLevel.Warning, Message = "Unit {Unit} cannot read its input: {Reason}")]
    private static partial void LogInputRejected(ILogger logger, UnitKey unit, string reason);

    [LoggerMessage(EventId = LogEvents.UnitFailed, Level = LogLevel.Warning, Message = "Unit {Unit} failed on attempt {Attempt}")]
    private static partial void LogUnitFailed(ILogger logger, UnitKey unit, int attempt, Exception exception);
}

using System.Diagnostics;
using Enrichflow.Core.Diagnostics;
using Enrichflow.Core.Storage;

namespace Enrichflow.Hosting.Duties;

/// <summary>
/// One background duty as this node sees it (docs/architecture.md §5). A background loop calls
/// <see cref="WaitUntilHeldAsync"/> before each pass: it returns at once while this node holds the duty's lease, and
/// otherwise takes the lease as soon as it is free (trying every third of the lease), so the pass runs on one node
/// of the cluster only. Once taken, the lease is renewed every third of its time to live until the node stops (then
/// it is released) or another node took it over. This node counts the lease as held only until three quarters of
/// its time to live after the last renewal began, so a node cut off from the store stops its passes before the
/// store lets another node take over.
/// </summary>
public sealed partial class LeasedDuty
{
    private readonly DutyLeases _node;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private DutyLease? _lease;
    private long _renewedAt;
    private Task? _heartbeat;

    internal LeasedDuty(string name, DutyLeases node)
    {
        Name = name;
        _node = node;
    }

    public string Name { get; }

    private TimeSpan Interval => _node.Lease / 3;

    /// <summary>True while this node holds the duty (by its own conservative reckoning of the lease).</summary>
    public bool IsHeld => Volatile.Read(ref _lease) is not null && Stopwatch.GetElapsedTime(Interlocked.Read(ref _renewedAt)) < _node.Lease * 3 / 4;

    /// <summary>
    /// Returns when this node holds the duty: at once when it does, else once it took the lease. True when it took
    /// it just now under a new epoch, i.e. the duty was free or another holder's (gone, or whose lease ran out): the
    /// caller takes over what that holder left.
    /// </summary>
    public async Task<bool> WaitUntilHeldAsync(CancellationToken cancellationToken)
    {
        var waitingLogged = false;
        while (true)
        {
            if (IsHeld)
            {
                return false;
            }

            if (await TryTakeAsync(cancellationToken) is { } tookOver)
            {
                return tookOver;
            }

            if (!waitingLogged && await HolderAsync(cancellationToken) is { } holder)
            {
                LogWaiting(_node.Logger, _node.NodeId, Name, holder);
                waitingLogged = true;
            }

            await Task.Delay(Interval, cancellationToken);
        }
    }

    /// <summary>Null when another node holds the duty; else whether the lease is new (another epoch than the one held before).</summary>
    private async Task<bool?> TryTakeAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (IsHeld)
            {
                return false;
            }

            var startedAt = Stopwatch.GetTimestamp();
            DutyLease? taken;
            try
            {
                await _node.ReadyAsync(cancellationToken);
                taken = await _node.Store.TryTakeDutyAsync(Name, _node.NodeId, _node.Lease, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (!_node.Stopping.IsCancellationRequested)
                {
                    LogLeaseFailed(_node.Logger, _node.NodeId, Name, e);
                }

                return null;
            }

            if (taken is null)
            {
                return null;
            }

            var previous = _lease;
            Interlocked.Exchange(ref _renewedAt, startedAt);
            Volatile.Write(ref _lease, taken);
            _heartbeat ??= Task.Run(HeartbeatAsync, CancellationToken.None);
            var tookOver = previous is null || previous.Epoch != taken.Epoch;
            if (tookOver)
            {
                LogTaken(_node.Logger, _node.NodeId, Name, taken.Epoch);
            }

            return tookOver;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Renews the lease every <see cref="Interval"/> while this node holds it; forgets it when it was taken over.</summary>
    private async Task HeartbeatAsync()
    {
        var stopping = _node.Stopping;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, stopping);
                await _gate.WaitAsync(stopping);
                try
                {
                    if (Volatile.Read(ref _lease) is not { } lease)
                    {
                        continue;
                    }

                    var startedAt = Stopwatch.GetTimestamp();
                    if (await _node.Store.RenewDutyAsync(lease, _node.Lease, stopping) is { } renewed)
                    {
                        Interlocked.Exchange(ref _renewedAt, startedAt);
                        Volatile.Write(ref _lease, renewed);
                    }
                    else
                    {
                        Volatile.Write(ref _lease, null);
                        LogLost(_node.Logger, _node.NodeId, Name);
                    }
                }
                finally
                {
                    _gate.Release();
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!stopping.IsCancellationRequested)
            {
                // The store could not be reached: the lease counts as held until its reckoned end, then passes stop.
                LogLeaseFailed(_node.Logger, _node.NodeId, Name, e);
            }
            catch (Exception) when (stopping.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Ends the heartbeat and releases the lease if this node holds it (the node is stopping).</summary>
    internal async Task StopAsync()
    {
        if (_heartbeat is { } heartbeat)
        {
            await heartbeat;
        }

        if (Volatile.Read(ref _lease) is not { } lease)
        {
            return;
        }

        Volatile.Write(ref _lease, null);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _node.Store.ReleaseDutyAsync(lease, timeout.Token);
            LogReleased(_node.Logger, _node.NodeId, Name);
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException or OperationCanceledException or System.Data.Common.DbException or TimeoutException)
        {
            // The store is going too: the lease runs out by itself.
        }
    }

    private async Task<string?> HolderAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await _node.Store.GetDutyAsync(Name, cancellationToken))?.Holder;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = LogEvents.DutyTaken, Level = LogLevel.Information, Message = "Node {NodeId} holds duty {Duty} (lease epoch {Epoch})")]
    private static partial void LogTaken(ILogger logger, string nodeId, string duty, long epoch);

    [LoggerMessage(EventId = LogEvents.DutyWaiting, Level = LogLevel.Information, Message = "Node {NodeId} waits for duty {Duty}, which {Holder} holds")]
    private static partial void LogWaiting(ILogger logger, string nodeId, string duty, string holder);

    [LoggerMessage(EventId = LogEvents.DutyLost, Level = LogLevel.Warning, Message = "Node {NodeId} lost duty {Duty}: another node took it over")]
    private static partial void LogLost(ILogger logger, string nodeId, string duty);

    [LoggerMessage(EventId = LogEvents.DutyLeaseFailed, Level = LogLevel.Warning, Message = "Node {NodeId} could not take or renew the lease of duty {Duty}; trying again")]
    private static partial void LogLeaseFailed(ILogger logger, string nodeId, string duty, Exception exception);

    [LoggerMessage(EventId = LogEvents.DutyReleased, Level = LogLevel.Information, Message = "Node {NodeId} released duty {Duty}")]
    private static partial void LogReleased(ILogger logger, string nodeId, string duty);
}

/// <summary>The names of the duties leased to one node (docs/architecture.md §5).</summary>
public static class DutyNames
{
    public const string Scheduler = "scheduler";
    public const string WebhookDelivery = "webhook-delivery";
    public const string Retention = "retention";
    public const string ProviderCacheCleanup = "provider-cache-cleanup";
    public const string InteractiveIdleSweep = "interactive-idle-sweep";
}

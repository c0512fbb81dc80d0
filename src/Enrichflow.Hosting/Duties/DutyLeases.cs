using System.Collections.Concurrent;
using Enrichflow.Core.Diagnostics;
using Enrichflow.Core.Storage;
using Enrichflow.Engine;
using Microsoft.Extensions.Options;

namespace Enrichflow.Hosting.Duties;

/// <summary>
/// This node's side of the duty leases (docs/architecture.md §5): its id in them, one <see cref="LeasedDuty"/> per
/// duty, and the start of a node that is the only one. With the embedded dispatcher a node is the only node of its
/// store (as for unit leases, it expires every unit lease at start), so before its first take it releases every duty
/// lease, left by a process that is gone; it then holds every duty from its first pass on, exactly as before duties
/// were leased. With Hangfire other nodes may hold duties, and a duty moves only once its lease has expired.
/// </summary>
public sealed partial class DutyLeases : IAsyncDisposable, IDisposable
{
    private readonly ConcurrentDictionary<string, LeasedDuty> _duties = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationToken _stoppingToken;
    private readonly Lock _gate = new();
    private Task? _ready;

    public DutyLeases(IDutyLeaseStore store, IOptions<DutyOptions> options, IOptions<EngineOptions> engine, IOptions<DispatchOptions> dispatch, ILogger<DutyLeases> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(dispatch);
        _stoppingToken = _stopping.Token;
        Store = store;
        Logger = logger;
        Lease = options.Value.Lease;
        SoleNode = !dispatch.Value.IsHangfire;
        // Engine:NodeName names the machine and process; the suffix makes the id unique even when a restarted process
        // gets the same name (a container's pid 1) or two nodes are given the same name.
        NodeId = $"{engine.Value.NodeName}#{Guid.NewGuid().ToString("N")[..8]}";
        LogNode(logger, NodeId, SoleNode ? "the only node of its store" : "one node of a cluster");
    }

    /// <summary>This process's id in duty leases.</summary>
    public string NodeId { get; }

    /// <summary>How long a lease lasts without renewal (<see cref="DutyOptions.Lease"/>).</summary>
    public TimeSpan Lease { get; }

    /// <summary>True with the embedded dispatcher: this node is the only one, so it holds every duty.</summary>
    public bool SoleNode { get; }

    internal IDutyLeaseStore Store { get; }

    internal ILogger Logger { get; }

    internal CancellationToken Stopping => _stoppingToken;

    /// <summary>The duty named <paramref name="name"/> as this node sees it (one object per name).</summary>
    public LeasedDuty For(string name) => _duties.GetOrAdd(name, n => new LeasedDuty(n, this));

    /// <summary>Done once before a sole node's first take: the leases of processes that are gone are released.</summary>
    internal Task ReadyAsync(CancellationToken cancellationToken)
    {
        if (!SoleNode)
        {
            return Task.CompletedTask;
        }

        lock (_gate)
        {
            if (_ready is null || _ready.IsFaulted || _ready.IsCanceled)
            {
                _ready = Store.ReleaseAllDutiesAsync(_stoppingToken);
            }

            return _ready.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Stops renewing and releases the duties this node holds, so another node takes them at once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stoppingToken.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync();
        foreach (var duty in _duties.Values)
        {
            await duty.StopAsync();
        }

        _stopping.Dispose();
    }

    /// <summary>Stops renewing without releasing (a container disposed synchronously): the leases run out by themselves.</summary>
    public void Dispose()
    {
        if (_stoppingToken.IsCancellationRequested)
        {
            return;
        }

        _stopping.Cancel();
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = LogEvents.DutyNode, Level = LogLevel.Information, Message = "This node's id in duty leases is {NodeId} ({Role})")]
    private static partial void LogNode(ILogger logger, string nodeId, string role);
}

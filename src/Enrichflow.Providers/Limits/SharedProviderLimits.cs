using Enrichflow.Core.Diagnostics;
using Enrichflow.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Enrichflow.Providers.Limits;

/// <summary>
/// Holds each provider's limits for a whole cluster (docs/architecture.md §4, "Limits"): every process's
/// <see cref="ProviderLimiter"/> takes its request tokens and its share of in-flight slots from the store
/// (<see cref="IProviderQuotaStore"/>), one small loop per provider asking as callers wait. Added when the store is
/// shared by several processes (PostgreSQL); on the embedded default each limiter keeps its limits alone.
/// </summary>
/// <remarks>
/// A token must be sent within <see cref="SharedLimitsOptions.TokenLife"/> of the ask that got it; the store counts
/// grants over the provider's minute plus a token's life, so no 60-second window at the provider ever sees more than
/// the limit, whatever the nodes' timing. A slot share is leased for <see cref="SharedLimitsOptions.SlotLease"/> and
/// renewed every <see cref="SharedLimitsOptions.RenewEvery"/>; a process whose renewals fail for half a lease stops
/// starting calls until one succeeds, and a dead process's share returns to the others when its lease runs out.
/// </remarks>
public sealed partial class SharedProviderLimits(
    IProviderQuotaStore store, IOptions<SharedLimitsOptions> options, TimeProvider time, ILogger<SharedProviderLimits> logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<SharedProviderLimit> _limits = [];
    private readonly Lock _lock = new();
    private bool _disposed;

    public SharedLimitsOptions Options { get; } = options.Value;

    internal IProviderQuotaStore Store => store;

    internal TimeProvider Time => time;

    internal ILogger Logger => logger;

    /// <summary>Makes <paramref name="limiter"/> take its limits from the cluster, and starts its provider's loop (once per limiter).</summary>
    public void Attach(ProviderLimiter limiter)
    {
        ArgumentNullException.ThrowIfNull(limiter);
        if (limiter.IsShared)
        {
            return;
        }

        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (limiter.IsShared)
            {
                return;
            }

            var shared = new SharedProviderLimit(this, limiter);
            limiter.Share(shared);
            _limits.Add(shared);
            shared.Start(_stopping.Token);
        }
    }

    /// <summary>Stops every provider's loop and gives this process's slot shares back.</summary>
    public async ValueTask DisposeAsync()
    {
        List<SharedProviderLimit> limits;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            limits = [.. _limits];
        }

        await _stopping.CancelAsync();
        foreach (var limit in limits)
        {
            await limit.StopAsync();
        }

        _stopping.Dispose();
    }

    [LoggerMessage(EventId = LogEvents.SharedLimitsStoreFailed, Level = LogLevel.Warning,
        Message = "Provider {Provider}: the shared limits could not be read from the store; asking again in a second")]
    internal static partial void LogStoreFailed(ILogger logger, string provider, Exception exception);

    [LoggerMessage(EventId = LogEvents.SharedLimitsShareLost, Level = LogLevel.Warning,
        Message = "Provider {Provider}: this node's share of the slots was not renewed for {Seconds} s; no new calls start until it is")]
    internal static partial void LogShareLost(ILogger logger, string provider, double seconds);
}

/// <summary>
/// Settings of the shared limits (section <c>Limits:Shared</c>). <see cref="Enabled"/> is set by the host from the
/// store in use; the rest are tuning with sensible defaults.
/// </summary>
public sealed class SharedLimitsOptions
{
    public const string Section = "Limits:Shared";

    /// <summary>Whether provider limits are held through the store for the whole cluster (default: when the store is PostgreSQL).</summary>
    public bool? Enabled { get; set; }

    /// <summary>This process's name in the store's shares (default: host name, process id and a random suffix).</summary>
    public string Node { get; set; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>How long a granted request token may wait before it is sent (default 1 s).</summary>
    public TimeSpan TokenLife { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a node's share of the slots lasts without renewal (default 30 s).</summary>
    public TimeSpan SlotLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a node that holds or wants slots renews its share (default 2 s).</summary>
    public TimeSpan RenewEvery { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How old what a run or an organization spent may be before a paid call reads it again from the usage store
    /// (default 250 ms): other processes' spending counts within this long (run budgets, organization credit limits).
    /// </summary>
    public TimeSpan SpentRefresh { get; set; } = TimeSpan.FromMilliseconds(250);
}

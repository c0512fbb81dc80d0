namespace Enrichflow.Providers.Limits;

/// <summary>
/// A provider's limits in this process (docs/architecture.md §4): a max-in-flight gate shared fairly by every
/// organization and run (<see cref="AcquireSlotAsync"/>, in <c>ProviderLimiter.Slots.cs</c>) and a requests-per-minute
/// pacer that each HTTP attempt passes, fair between organizations (<see cref="AcquireRequestAsync(string, CancellationToken)"/>,
/// in <c>ProviderLimiter.Requests.cs</c>), slowed by 429s.
/// </summary>
/// <remarks>
/// Not built on <c>System.Threading.RateLimiting</c>: its token bucket reads the system clock instead of a
/// <see cref="TimeProvider"/> and cannot change its rate once built (a 429 must slow it down), and its concurrency
/// limiter has one queue where organizations and runs need one each. Waiters here are task completion sources in queues, woken by a
/// release or by one timer: thousands of them cost memory, not threads.
/// </remarks>
public sealed partial class ProviderLimiter : IDisposable
{
    private readonly TimeProvider _time;

    public ProviderLimiter(string provider, ProviderLimits limits, TimeProvider time)
    {
        Provider = provider;
        Limits = limits;
        _time = time;
        _targetRate = PacingRate(limits.RequestsPerMinute);
        _slowedRate = _targetRate;
        _recent = limits.RequestsPerMinute > 0 ? NewGrantLog(limits.RequestsPerMinute) : null;
        var now = time.GetTimestamp();
        _nextAt = now;
        _holdUntil = now;
        _recoverFrom = now;
        _lastSlowdown = now - Ticks(SlowdownGap);
        _slotCapacity = limits.MaxConcurrency > 0 ? limits.MaxConcurrency : int.MaxValue;
    }

    public string Provider { get; }

    public ProviderLimits Limits { get; }

    public ProviderLimiterSnapshot Snapshot()
    {
        int inFlight, waiting;
        lock (_slotLock)
        {
            inFlight = _inFlight;
            waiting = _slotWaiting;
        }

        double rate;
        DateTimeOffset? throttledUntil = null;
        lock (_requestLock)
        {
            var now = _time.GetTimestamp();
            waiting += _requestWaiting;
            rate = CurrentRate(now);
            if (_holdUntil > now)
            {
                throttledUntil = _time.GetUtcNow() + _time.GetElapsedTime(now, _holdUntil);
            }
        }

        return new ProviderLimiterSnapshot(Provider, inFlight, waiting, rate, throttledUntil);
    }

    /// <summary>Stops the pacing timer and fails every waiter with <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        var slotWaiters = CloseSlots();
        var requestWaiters = CloseRequests();
        foreach (var waiter in slotWaiters)
        {
            waiter.Registration.Unregister();
            waiter.TrySetException(DisposedError());
        }

        foreach (var waiter in requestWaiters)
        {
            waiter.Registration.Unregister();
            waiter.TrySetException(DisposedError());
        }
    }

    private ObjectDisposedException DisposedError() =>
        new(nameof(ProviderLimiter), $"the limits of provider '{Provider}' were disposed");
}

/// <summary>
/// What a limiter is doing now (for live status, logs and the pacing benchmark): slots in use, callers waiting for
/// a slot or a request token, the pacing rate in requests per minute (0 when the provider has no rate limit), and
/// the end of a 429 hold when one is on.
/// </summary>
public sealed record ProviderLimiterSnapshot(string Provider, int InFlight, int Waiting, double CurrentRequestsPerMinute, DateTimeOffset? ThrottledUntil);

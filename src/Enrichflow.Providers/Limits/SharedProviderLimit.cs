using System.Threading.Channels;
using Enrichflow.Core.Storage;

namespace Enrichflow.Providers.Limits;

/// <summary>
/// One provider's loop of <see cref="SharedProviderLimits"/>: woken when a caller starts waiting (or a 429 comes), it
/// asks the store for request tokens while requests wait, and for the slot share the process needs, renewing it while
/// it holds one.
/// </summary>
internal sealed class SharedProviderLimit(SharedProviderLimits owner, ProviderLimiter limiter)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan MaxRetryWait = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan DeniedSlotAskGap = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan StoreErrorWait = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan HoldWriteGap = TimeSpan.FromMilliseconds(100);

    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly TimeProvider _time = owner.Time;
    private readonly SharedLimitsOptions _options = owner.Options;
    private Task _loop = Task.CompletedTask;
    private long _pendingHoldTicks;

    // Loop state (the loop's own).
    private long _requestsAgainAt;
    private long _slotsAskedAt = long.MinValue;
    private long _shareValidUntil = long.MinValue;
    private long _holdWrittenUntil = long.MinValue;
    private int _share;

    private string Provider => limiter.Provider;

    private ProviderLimits Limits => limiter.Limits;

    public void Start(CancellationToken stopping) => _loop = Task.Run(() => RunAsync(stopping), CancellationToken.None);

    /// <summary>A caller started waiting: ask now instead of at the next tick.</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>A 429: hold the whole cluster's requests too (written by the loop, the longest hold asked for).</summary>
    public void OnThrottled(TimeSpan hold)
    {
        var ticks = hold.Ticks;
        long seen;
        do
        {
            seen = Interlocked.Read(ref _pendingHoldTicks);
        }
        while (ticks > seen && Interlocked.CompareExchange(ref _pendingHoldTicks, ticks, seen) != seen);

        Wake();
    }

    public async Task StopAsync()
    {
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        if (_share > 0 || Limits.MaxConcurrency > 0)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await owner.Store.ShareSlotsAsync(new SlotShareAsk(Provider, _options.Node, 0, 0, Limits.MaxConcurrency, _options.SlotLease), timeout.Token);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                SharedProviderLimits.LogStoreFailed(owner.Logger, Provider, e);
            }
        }
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                await WriteHoldAsync(stopping);
                var requestsWait = await TakeRequestsAsync(stopping);
                var slotsWait = await ShareSlotsAsync(stopping);
                wait = Sooner(requestsWait, slotsWait);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                SharedProviderLimits.LogStoreFailed(owner.Logger, Provider, e);
                wait = StoreErrorWait;
            }

            StopCallsIfShareLapsed();
            await WaitAsync(wait, stopping);
        }
    }

    private async Task WriteHoldAsync(CancellationToken stopping)
    {
        var hold = TimeSpan.FromTicks(Interlocked.Exchange(ref _pendingHoldTicks, 0));
        var now = _time.GetTimestamp();
        if (hold <= TimeSpan.Zero || now + ToTicks(hold) < _holdWrittenUntil + ToTicks(HoldWriteGap))
        {
            return;
        }

        await owner.Store.HoldRequestsAsync(Provider, hold, stopping);
        _holdWrittenUntil = now + ToTicks(hold);
    }

    /// <summary>Asks for tokens for the requests that wait without one; returns how long until asking again is worth it.</summary>
    private async Task<TimeSpan> TakeRequestsAsync(CancellationToken stopping)
    {
        if (Limits.RequestsPerMinute <= 0)
        {
            return Timeout.InfiniteTimeSpan;
        }

        var (waiting, tokens) = limiter.RequestDemand();
        var missing = waiting - tokens;
        if (missing <= 0)
        {
            return Timeout.InfiniteTimeSpan;
        }

        var now = _time.GetTimestamp();
        if (now < _requestsAgainAt)
        {
            return _time.GetElapsedTime(now, _requestsAgainAt);
        }

        // At most what this process can send within a token's life at the provider's whole rate.
        var block = Math.Max(1, (int)Math.Ceiling(Limits.RequestsPerMinute * (_options.TokenLife / Window)));
        var quota = await owner.Store.TakeRequestsAsync(
            new RequestQuotaAsk(Provider, Math.Min(missing, block), Limits.RequestsPerMinute, Window, _options.TokenLife), stopping);
        if (quota.Granted > 0)
        {
            limiter.AddRequestTokens(quota.Granted, now + ToTicks(_options.TokenLife));
            return TimeSpan.Zero;
        }

        var retry = quota.RetryAfter < MaxRetryWait ? quota.RetryAfter : MaxRetryWait;
        _requestsAgainAt = _time.GetTimestamp() + ToTicks(retry);
        return retry;
    }

    /// <summary>Asks for the slots this process needs, or renews its share; returns how long until the next ask.</summary>
    private async Task<TimeSpan> ShareSlotsAsync(CancellationToken stopping)
    {
        if (Limits.MaxConcurrency <= 0)
        {
            return Timeout.InfiniteTimeSpan;
        }

        var (inFlight, waiting, capacity) = limiter.SlotDemand();
        var wanted = Math.Min(inFlight + waiting, Limits.MaxConcurrency);
        var now = _time.GetTimestamp();
        var sinceAsked = _slotsAskedAt == long.MinValue ? TimeSpan.MaxValue : _time.GetElapsedTime(_slotsAskedAt, now);
        if (_share == 0 && wanted == 0)
        {
            // Nothing held, in flight or waiting: nothing to renew until a caller wakes the loop.
            return Timeout.InfiniteTimeSpan;
        }

        // Callers waiting for a slot ask again soon; a share that serves its calls is renewed.
        var due = waiting > 0 && capacity <= inFlight ? DeniedSlotAskGap : _options.RenewEvery;
        if (sinceAsked < due)
        {
            return due - sinceAsked;
        }

        var allowed = await owner.Store.ShareSlotsAsync(
            new SlotShareAsk(Provider, _options.Node, inFlight, wanted, Limits.MaxConcurrency, _options.SlotLease), stopping);
        _slotsAskedAt = now;
        _shareValidUntil = now + ToTicks(_options.SlotLease / 2);
        _share = allowed;
        limiter.SetSlotShare(allowed);
        return allowed < wanted ? DeniedSlotAskGap : _options.RenewEvery;
    }

    private void StopCallsIfShareLapsed()
    {
        if (_share > 0 && _shareValidUntil != long.MinValue && _time.GetTimestamp() > _shareValidUntil)
        {
            SharedProviderLimits.LogShareLost(owner.Logger, Provider, (_options.SlotLease / 2).TotalSeconds);
            _share = 0;
            limiter.SetSlotShare(0);
        }
    }

    /// <summary>Waits <paramref name="wait"/> (infinite: until woken) or until <see cref="Wake"/> is called.</summary>
    private async Task WaitAsync(TimeSpan wait, CancellationToken stopping)
    {
        if (wait == TimeSpan.Zero || _wake.Reader.TryRead(out _))
        {
            return;
        }

        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var woken = _wake.Reader.WaitToReadAsync(waiting.Token).AsTask();
        var done = wait == Timeout.InfiniteTimeSpan
            ? woken
            : await Task.WhenAny(woken, Task.Delay(wait < TimeSpan.Zero ? TimeSpan.Zero : wait, _time, waiting.Token));
        await waiting.CancelAsync();
        try
        {
            await done;
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
        }

        _wake.Reader.TryRead(out _);
    }

    /// <summary>The shorter of two waits, <see cref="Timeout.InfiniteTimeSpan"/> being the longest.</summary>
    private static TimeSpan Sooner(TimeSpan a, TimeSpan b) =>
        a == Timeout.InfiniteTimeSpan ? b : b == Timeout.InfiniteTimeSpan ? a : a < b ? a : b;

    private long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);
}

namespace Enrichflow.Providers.Limits;

/// <summary>
/// The requests-per-minute pacer: a token bucket of capacity one, refilled at a pacing rate 1% under the provider's
/// limit, so that no minute ever sees more than the limit and a warm minute sees 99% of it.
/// Waiters queue per organization, first in, first out within it, and one timer set for the next grant serves the
/// organizations round robin (<c>ProviderLimiter.RequestWaiters.cs</c>): when several wait, each gets an equal share.
/// </summary>
/// <remarks>
/// Two mechanisms keep the limit. Pacing spaces grants one interval apart on a schedule; a timer that fires late
/// (by up to <see cref="LatenessAbsorbed"/>) does not push the schedule back, so timer granularity does not cost
/// rate. The grant log then holds the times of the last <c>RequestsPerMinute</c> grants and refuses a grant that
/// would put one more than the limit into any 60-second window: the hard guarantee, whatever the timers did.
/// A 429 holds every request until its <c>Retry-After</c>, multiplies the pacing rate by 0.8 (not below one per
/// minute), and from the end of the hold the rate climbs back by 5% of its target per 10 seconds. 429s answering
/// requests sent before the hold began (they arrive during the hold or within a second of the last slowdown) extend
/// the hold but do not slow the rate again.
/// </remarks>
public sealed partial class ProviderLimiter
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan WindowMargin = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan LatenessAbsorbed = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan SlowdownGap = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RecoveryStep = TimeSpan.FromSeconds(10);
    private const double SlowdownFactor = 0.8;
    private const double RecoveryPerStep = 0.05;
    private const double PacingShare = 0.99;
    private const double MinRate = 1;

    private readonly Lock _requestLock = new();
    private readonly Dictionary<string, OrgRequests> _requestOrgs = new(StringComparer.Ordinal);
    private readonly LinkedList<OrgRequests> _requestTurns = new();
    private int _requestWaiting;
    private readonly long[]? _recent;
    private readonly double _targetRate;
    private int _recentNext;
    private double _slowedRate;
    private long _recoverFrom;
    private long _nextAt;
    private long _holdUntil;
    private long _lastSlowdown;
    private bool _requestsClosed;

    /// <summary>
    /// Waits for one request token (each HTTP attempt takes one) for a caller of no organization (an estimate's
    /// sample calls): they share one turn in the round robin.
    /// </summary>
    public ValueTask AcquireRequestAsync(CancellationToken cancellationToken) => AcquireRequestAsync("", cancellationToken);

    /// <summary>
    /// Waits for one request token (each HTTP attempt takes one): organizations that wait are served round robin,
    /// each one's requests first come first served. <see cref="ProviderLimits.RequestsPerMinute"/> of 0 or less
    /// paces nothing, but a 429 hold still applies.
    /// </summary>
    public ValueTask AcquireRequestAsync(string orgId, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        RequestWaiter waiter;
        lock (_requestLock)
        {
            ObjectDisposedException.ThrowIf(_requestsClosed, this);
            var now = _time.GetTimestamp();
            if (_requestWaiting == 0)
            {
                var at = EligibleAt();
                if (at <= now)
                {
                    Grant(now);
                    return ValueTask.CompletedTask;
                }

                ScheduleTimer(at, now);
            }

            waiter = new RequestWaiter(this, orgId);
            EnqueueRequestWaiter(waiter);
        }

        _shared?.Wake();

        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.UnsafeRegister(OnRequestWaiterCancelled, waiter);
            lock (_requestLock)
            {
                if (waiter.Node.List is not null)
                {
                    waiter.Registration = registration;
                    registration = default;
                }
            }

            registration.Unregister();
        }

        return new ValueTask(waiter.Task);
    }

    /// <summary>
    /// A 429: hold every request until <paramref name="retryAfter"/> has passed (1 second when the provider gave
    /// none, at most 5 minutes) and slow the pacing rate down.
    /// </summary>
    public void OnThrottled(TimeSpan? retryAfter)
    {
        var wait = retryAfter ?? DefaultRetryAfter;
        wait = wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxRetryAfter ? MaxRetryAfter : wait;
        lock (_requestLock)
        {
            var now = _time.GetTimestamp();
            var answersOlderRequest = now < _holdUntil || now - _lastSlowdown < Ticks(SlowdownGap);
            var rate = CurrentRate(now);
            if (!answersOlderRequest && _targetRate > 0)
            {
                rate = Math.Max(Math.Min(MinRate, _targetRate), rate * SlowdownFactor);
                _lastSlowdown = now;
            }

            // Recovery starts again when the hold ends, from the rate reached so far.
            _slowedRate = rate;
            _holdUntil = Math.Max(_holdUntil, now + Ticks(wait));
            _recoverFrom = _holdUntil;
        }

        _shared?.OnThrottled(wait);
    }

    /// <summary>The clock the limiter runs on: a 429's <c>Retry-After</c> date is read against it.</summary>
    public TimeProvider Time => _time;

    /// <summary>
    /// The pacing rate a limit allows: 1% under it, so that the limit's worth of requests spans 0.6 s more than a
    /// minute and network jitter between here and the provider cannot squeeze one more into its window.
    /// </summary>
    private static double PacingRate(int requestsPerMinute) => requestsPerMinute <= 0 ? 0 : requestsPerMinute * PacingShare;

    private static long[] NewGrantLog(int requestsPerMinute)
    {
        var log = new long[requestsPerMinute];
        Array.Fill(log, long.MinValue);
        return log;
    }

    /// <summary>The pacing rate now, per minute: the target, or on its way back to it after a 429.</summary>
    private double CurrentRate(long now)
    {
        if (_slowedRate >= _targetRate || now <= _recoverFrom)
        {
            return _slowedRate;
        }

        var steps = _time.GetElapsedTime(_recoverFrom, now) / RecoveryStep;
        return Math.Min(_targetRate, _slowedRate + (RecoveryPerStep * _targetRate * steps));
    }

    /// <summary>The earliest timestamp at which the next request may go. Under the lock.</summary>
    private long EligibleAt()
    {
        var at = Math.Max(_nextAt, _holdUntil);
        if (_shared is not null && !HasSharedToken())
        {
            return long.MaxValue;
        }

        if (_recent is not null && _recent[_recentNext] != long.MinValue)
        {
            at = Math.Max(at, _recent[_recentNext] + Ticks(Window + WindowMargin));
        }

        return at;
    }

    /// <summary>Lets one request go at <paramref name="now"/> and sets the next one's turn. Under the lock.</summary>
    private void Grant(long now)
    {
        var rate = CurrentRate(now);
        var interval = rate > 0 ? Ticks(Window / rate) : 0;
        var due = Math.Max(_nextAt, _holdUntil);
        var onSchedule = due >= now - Math.Max(interval, Ticks(LatenessAbsorbed));
        _nextAt = (onSchedule ? due : now) + interval;
        if (_shared is not null)
        {
            TakeSharedToken();
        }

        if (_recent is not null)
        {
            _recent[_recentNext] = now;
            _recentNext = (_recentNext + 1) % _recent.Length;
        }
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);
}

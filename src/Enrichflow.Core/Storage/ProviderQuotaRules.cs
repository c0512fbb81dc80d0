namespace Enrichflow.Core.Storage;

/// <summary>
/// How a store decides a request grant (<see cref="IProviderQuotaStore.TakeRequestsAsync"/>), the same arithmetic for
/// every backend: the store reads the provider's state under its lock, this decides, the store writes.
/// </summary>
/// <remarks>
/// Two rules, the second the guarantee:
/// <list type="bullet">
/// <item>Pacing, a cell-rate schedule (<c>nextAt</c>, the theoretical time of the next grant) at
/// <see cref="PacingShare"/> of the limit, with a burst tolerance of one token life: nodes together get a steady rate,
/// not a minute's worth in the first seconds.</item>
/// <item>The grant log: grants in the last <see cref="AccountedWindow"/> plus this one never exceed the limit. A grant
/// may be sent up to its token life after it was made, so a provider's 60-second window can see the grants of 60
/// seconds plus one token life; counting over that longer window keeps every provider window within the limit.</item>
/// </list>
/// </remarks>
public static class RequestQuotaRule
{
    /// <summary>The share of the limit that pacing aims at: the accounted window is one token life longer than the provider's.</summary>
    public const double PacingShare = 0.98;

    private static readonly TimeSpan WindowMargin = TimeSpan.FromMilliseconds(5);

    /// <summary>The window over which the store counts grants: the provider's, plus a token's life, plus a margin.</summary>
    public static TimeSpan AccountedWindow(RequestQuotaAsk ask)
    {
        ArgumentNullException.ThrowIfNull(ask);
        return ask.Window + ask.TokenLife + WindowMargin;
    }

    /// <summary>
    /// The grant for <paramref name="ask"/> at <paramref name="now"/>, given the provider's pacing schedule
    /// (<paramref name="nextAt"/>, null before the first grant), its 429 hold, the requests granted within the accounted
    /// window and the oldest of those grants. Returns the grant and the schedule to store when it is not empty.
    /// </summary>
    public static (RequestQuota Quota, DateTimeOffset NextAt) Decide(
        RequestQuotaAsk ask, DateTimeOffset now, DateTimeOffset? nextAt, DateTimeOffset? holdUntil, long grantedInWindow, DateTimeOffset? oldestInWindow)
    {
        ArgumentNullException.ThrowIfNull(ask);
        var schedule = nextAt is { } at && at > now ? at : now;
        if (holdUntil is { } hold && hold > now)
        {
            return (new RequestQuota(0, hold - now), schedule);
        }

        var interval = ask.Window / (ask.Limit * PacingShare);
        var paced = schedule - now > ask.TokenLife ? 0 : (long)Math.Floor((now + ask.TokenLife - schedule) / interval) + 1;
        var room = ask.Limit - grantedInWindow;
        var granted = (int)Math.Max(0, Math.Min(ask.Wanted, Math.Min(paced, room)));
        if (granted > 0)
        {
            return (new RequestQuota(granted, TimeSpan.Zero), schedule + (interval * granted));
        }

        var retry = TimeSpan.FromMilliseconds(1);
        if (paced <= 0)
        {
            retry = Max(retry, schedule - ask.TokenLife - now);
        }

        if (room <= 0 && oldestInWindow is { } oldest)
        {
            retry = Max(retry, oldest + AccountedWindow(ask) - now);
        }

        return (new RequestQuota(0, retry), schedule);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

/// <summary>
/// How a store decides a node's share of a provider's slots (<see cref="IProviderQuotaStore.ShareSlotsAsync"/>): what
/// the other nodes hold is taken; of the rest, a node takes what it wants, but while another node wants more than it
/// holds, no node takes more than an even share (rounded up) of the limit, so shares even out as calls finish. What a
/// node holds is counted against the limit: at least its calls in flight (a share shrinks only as they finish).
/// </summary>
public static class SlotShareRule
{
    /// <summary>The share allowed for <paramref name="ask"/> and what it holds from now, given the other nodes' unexpired shares.</summary>
    public static (int Allowed, int Held) Decide(SlotShareAsk ask, IReadOnlyCollection<SlotShare> others)
    {
        ArgumentNullException.ThrowIfNull(ask);
        ArgumentNullException.ThrowIfNull(others);
        var free = ask.Limit - others.Sum(other => other.Held);
        var wanting = others.Count(other => other.Wanted > 0) + (ask.Wanted > 0 ? 1 : 0);
        var cap = others.Any(other => other.Wanted > other.Held) && wanting > 0
            ? (ask.Limit + wanting - 1) / wanting
            : int.MaxValue;
        var allowed = Math.Max(0, Math.Min(ask.Wanted, Math.Min(free, cap)));
        return (allowed, Math.Max(ask.InUse, allowed));
    }
}

/// <summary>The quota tables' times: microseconds since the Unix epoch (0 is "never").</summary>
public static class QuotaTime
{
    public static long ToMicros(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    public static DateTimeOffset? FromMicros(long? micros) =>
        micros is { } value and > 0 ? DateTimeOffset.UnixEpoch.AddTicks(value * TimeSpan.TicksPerMicrosecond) : null;
}

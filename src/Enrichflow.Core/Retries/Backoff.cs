namespace Enrichflow.Core.Retries;

/// <summary>
/// Exponential backoff with jitter, the one schedule of waits between attempts (export batches, webhook deliveries,
/// provider calls, work units). Retry <c>n</c> (0 for the first retry) waits <see cref="Initial"/> times
/// <see cref="Factor"/><c>^n</c>, at most <see cref="Max"/>, of which a random share of up to <see cref="Jitter"/>
/// is taken off, so that callers that failed together do not all come back at the same moment.
/// </summary>
/// <param name="Initial">The wait before the first retry, before jitter.</param>
/// <param name="Max">The longest wait, before jitter.</param>
/// <param name="Factor">How much longer each wait is than the one before (2: doubling).</param>
/// <param name="Jitter">The largest share of a wait taken off at random, 0 to 1 (0.5: between half and all of it; 0: no jitter).</param>
public readonly record struct Backoff(TimeSpan Initial, TimeSpan Max, double Factor = 2, double Jitter = 0.5)
{
    /// <summary>Exponential backoff without a cap (the wait grows until <see cref="TimeSpan.MaxValue"/>).</summary>
    public static Backoff Uncapped(TimeSpan initial, double factor = 2, double jitter = 0.5) => new(initial, TimeSpan.MaxValue, factor, jitter);

    /// <summary>The wait before retry <paramref name="retry"/> (0-based), with <see cref="Random.Shared"/> as the randomness.</summary>
    public TimeSpan Delay(int retry) => Delay(retry, Jitter == 0 ? 0 : Random.Shared.NextDouble());

    /// <summary>
    /// The wait before retry <paramref name="retry"/> (0-based; less than 0 counts as 0), with <paramref name="random"/>
    /// in [0, 1] as the randomness: 0 waits the whole capped delay, 1 takes off the whole <see cref="Jitter"/> share.
    /// </summary>
    public TimeSpan Delay(int retry, double random)
    {
        if (Initial <= TimeSpan.Zero || Max <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        var grown = Initial.Ticks * Math.Pow(Factor, Math.Max(0, retry));
        var ticks = double.IsNaN(grown) ? Max.Ticks : Math.Min(Max.Ticks, grown);
        var jittered = ticks * (1 - (Math.Clamp(Jitter, 0, 1) * Math.Clamp(random, 0, 1)));

        // A double of TimeSpan.MaxValue's ticks rounds up past long.MaxValue: compare before converting.
        return jittered >= Max.Ticks ? Max : TimeSpan.FromTicks((long)jittered);
    }
}

using System.Globalization;
using System.Net.Http.Headers;

namespace Enrichflow.Providers.Outbound;

/// <summary>The one reader of <c>Retry-After</c> (RFC 9110 §10.2.3) for every outbound caller: export, webhooks and providers.</summary>
public static class RetryAfter
{
    /// <summary>The most seconds read from a number the typed header did not take: as many as delay-seconds it does take.</summary>
    private const double MaxSeconds = int.MaxValue;

    /// <summary>
    /// The wait <paramref name="headers"/> ask for: delay-seconds, or an HTTP date relative to
    /// <paramref name="time"/>'s now; a date already past (or a negative number) is no wait. A number of seconds
    /// with a fraction, which the typed header does not take, is read too (at most <see cref="int.MaxValue"/> seconds). Null when absent or unreadable.
    /// </summary>
    public static TimeSpan? Parse(HttpResponseHeaders headers, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(time);
        if (headers.RetryAfter is { } value)
        {
            var wait = value.Delta ?? (value.Date is { } date ? date - time.GetUtcNow() : null);
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return headers.TryGetValues("Retry-After", out var raw)
            && double.TryParse(raw.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            && double.IsFinite(seconds) && seconds >= 0
            ? TimeSpan.FromSeconds(Math.Min(seconds, MaxSeconds))
            : null;
    }

    /// <summary>The wait asked for by <paramref name="response"/>'s headers; see <see cref="Parse(HttpResponseHeaders, TimeProvider)"/>.</summary>
    public static TimeSpan? Parse(HttpResponseMessage response, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Parse(response.Headers, time);
    }
}

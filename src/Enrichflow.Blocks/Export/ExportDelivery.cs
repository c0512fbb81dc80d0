using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace Enrichflow.Blocks.Export;

/// <summary>How one attempt to deliver a batch ended.</summary>
internal enum DeliveryOutcome
{
    /// <summary>The destination answered 2xx.</summary>
    Acknowledged,

    /// <summary>Worth another attempt: a network error, a timeout, 408, 429 or 5xx.</summary>
    Transient,

    /// <summary>The destination refused the batch (another 4xx, or a 3xx): retrying cannot help.</summary>
    Rejected,

    /// <summary>The SSRF guard refused the address: no batch of this destination can be sent.</summary>
    Refused,
}

/// <summary>One attempt's outcome, with the status, a reason to show and the wait the destination asked for.</summary>
internal readonly record struct DeliveryAttempt(DeliveryOutcome Outcome, int Status, string Reason, TimeSpan? RetryAfter = null)
{
    public bool IsTransient => Outcome == DeliveryOutcome.Transient;

    /// <summary>Classifies an answer: 2xx acknowledged; 408, 429 and 5xx transient; anything else rejected.</summary>
    public static DeliveryAttempt FromStatus(HttpStatusCode code, string body, TimeSpan? retryAfter)
    {
        var status = (int)code;
        var text = body.Length == 0 ? "" : $": {body}";
        return status switch
        {
            >= 200 and < 300 => new(DeliveryOutcome.Acknowledged, status, "acknowledged"),
            408 or 429 or >= 500 => new(DeliveryOutcome.Transient, status, $"destination answered {status}{text}", retryAfter),
            _ => new(DeliveryOutcome.Rejected, status, $"destination answered {status}{text}"),
        };
    }
}

/// <summary>The waits between attempts: exponential backoff with jitter, or what <c>Retry-After</c> says.</summary>
internal static class ExportBackoff
{
    /// <summary>The longest wait between two attempts, whatever the backoff or <c>Retry-After</c> says.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The wait before attempt <paramref name="nextAttempt"/> (2 for the first retry): <c>Retry-After</c> when the
    /// destination gave one, else <paramref name="initial"/> doubled per retry (at most 60 s) with "equal jitter"
    /// (half the delay fixed, half random) so that many units retrying at once spread out.
    /// </summary>
    public static TimeSpan Delay(int nextAttempt, TimeSpan initial, TimeSpan? retryAfter)
    {
        if (retryAfter is { } asked)
        {
            return asked < TimeSpan.Zero ? TimeSpan.Zero : asked > MaxDelay ? MaxDelay : asked;
        }

        var exponential = initial.TotalMilliseconds * Math.Pow(2, Math.Max(0, nextAttempt - 2));
        var capped = Math.Min(exponential, MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds((capped / 2) + (Random.Shared.NextDouble() * capped / 2));
    }

    /// <summary><c>Retry-After</c> as a wait: delay-seconds or an HTTP date (relative to <paramref name="now"/>); null when absent or unreadable.</summary>
    public static TimeSpan? RetryAfter(HttpResponseHeaders headers, DateTimeOffset now)
    {
        if (headers.RetryAfter is { } value)
        {
            return value.Delta ?? (value.Date is { } date ? date - now : null);
        }

        // A value the typed parser did not take (e.g. a fractional number of seconds).
        return headers.TryGetValues("Retry-After", out var raw)
            && double.TryParse(raw.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            && double.IsFinite(seconds) && seconds >= 0
            ? TimeSpan.FromSeconds(Math.Min(seconds, MaxDelay.TotalSeconds))
            : null;
    }
}

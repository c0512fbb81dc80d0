using System.Net;
using Enrichflow.Core.Retries;
using Enrichflow.Providers.Outbound;

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
/// <param name="Reason">What the failed rows say: with the start of the destination's answer, which may echo rows or tokens.</param>
/// <param name="LoggedReason">What the logs say, when it differs: the status without the answer's body.</param>
internal readonly record struct DeliveryAttempt(DeliveryOutcome Outcome, int Status, string Reason, TimeSpan? RetryAfter = null, string? LoggedReason = null)
{
    public bool IsTransient => Outcome == DeliveryOutcome.Transient;

    /// <summary>The reason as logged: never the destination's body.</summary>
    public string ForLog => LoggedReason ?? Reason;

    /// <summary>Classifies an answer: 2xx acknowledged; transient as <see cref="HttpFailure"/> says (408, 429 and 5xx); anything else rejected.</summary>
    public static DeliveryAttempt FromStatus(HttpStatusCode code, string body, TimeSpan? retryAfter)
    {
        var status = (int)code;
        if (status is >= 200 and < 300)
        {
            return new(DeliveryOutcome.Acknowledged, status, "acknowledged");
        }

        var logged = $"destination answered {status}";
        var reason = body.Length == 0 ? logged : $"{logged}: {body}";
        return HttpFailure.FromStatus(status).IsTransient
            ? new(DeliveryOutcome.Transient, status, reason, retryAfter, logged)
            : new(DeliveryOutcome.Rejected, status, reason, LoggedReason: logged);
    }

    /// <summary>An attempt without an answer: refused by the guard, or a transient network error or timeout.</summary>
    public static DeliveryAttempt FromFailure(HttpFailure failure, TimeSpan timeout) => failure.Kind switch
    {
        HttpFailureKind.Refused => new(DeliveryOutcome.Refused, 0, failure.Message),
        HttpFailureKind.Timeout => new(DeliveryOutcome.Transient, 0, $"no answer within {timeout.TotalSeconds:0.###} s"),
        _ => new(DeliveryOutcome.Transient, 0, $"network error: {failure.Message}"),
    };
}

/// <summary>The waits between attempts: exponential backoff with jitter, or what <c>Retry-After</c> says.</summary>
internal static class ExportBackoff
{
    /// <summary>The longest wait between two attempts, whatever the backoff or <c>Retry-After</c> says.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The wait before attempt <paramref name="nextAttempt"/> (2 for the first retry): <c>Retry-After</c> when the
    /// destination gave one (at most 5 minutes), else <paramref name="initial"/> doubled per retry (at most 60 s) with
    /// "equal jitter" (half the delay fixed, half random) so that many units retrying at once spread out.
    /// </summary>
    public static TimeSpan Delay(int nextAttempt, TimeSpan initial, TimeSpan? retryAfter)
    {
        if (retryAfter is { } asked)
        {
            return asked < TimeSpan.Zero ? TimeSpan.Zero : asked > MaxDelay ? MaxDelay : asked;
        }

        return new Backoff(initial, MaxBackoff).Delay(nextAttempt - 2);
    }
}

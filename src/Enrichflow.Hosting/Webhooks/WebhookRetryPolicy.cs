using Enrichflow.Core.Storage;
using Enrichflow.Providers.Outbound;

namespace Enrichflow.Hosting.Webhooks;

/// <summary>What one attempt came to, before the policy decides what follows.</summary>
/// <param name="StatusCode">The receiver's status code; null when there was no answer.</param>
/// <param name="Error">Why there was no answer (network error, timeout, refusal), or null.</param>
/// <param name="IsTransient">Worth another attempt: network errors, timeouts, 408, 429 and 5xx.</param>
/// <param name="RetryAfter">The wait the receiver asked for with <c>Retry-After</c>.</param>
internal readonly record struct AttemptResult(int? StatusCode, string? Error, bool IsTransient, TimeSpan? RetryAfter)
{
    public bool IsDelivered => StatusCode is >= 200 and < 300;

    public string Reason => Error ?? $"HTTP {StatusCode}";

    public static AttemptResult FromResponse(HttpResponseMessage response, TimeProvider time)
    {
        var code = (int)response.StatusCode;
        var transient = HttpFailure.FromStatus(code).IsTransient;
        return new AttemptResult(code, null, transient, transient ? Providers.Outbound.RetryAfter.Parse(response.Headers, time) : null);
    }

    /// <summary>An attempt without an answer: a refusal by the guard fails the delivery, a network error or timeout is retried.</summary>
    public static AttemptResult FromFailure(HttpFailure failure, TimeSpan timeout) => failure.Kind switch
    {
        HttpFailureKind.Refused => Permanent(failure.Message),
        HttpFailureKind.Timeout => Transient($"no answer within {timeout.TotalSeconds:0.###} s"),
        _ => Transient($"network error: {failure.Message}"),
    };

    public static AttemptResult Transient(string error) => new(null, error, true, null);

    public static AttemptResult Permanent(string error) => new(null, error, false, null);
}

/// <summary>
/// The one place that decides what a delivery becomes after an attempt (docs/api.md §6): delivered on 2xx; failed at once
/// on other answers and on a refusal by the SSRF guard; otherwise pending again after an exponential backoff with
/// jitter (or the receiver's <c>Retry-After</c>), until the next attempt would fall after <see cref="WebhookOptions.RetryFor"/>.
/// </summary>
internal static class WebhookRetryPolicy
{
    public static WebhookDeliveryOutcome Decide(WebhookDeliveryRecord delivery, int attempt, AttemptResult result, DateTimeOffset now, WebhookOptions options, double jitter)
    {
        if (result.IsDelivered)
        {
            return WebhookDeliveryOutcome.Delivered(now);
        }

        if (!result.IsTransient)
        {
            var why = result.StatusCode is int code ? $"HTTP {code}; not retried (only 408, 429 and 5xx are)" : result.Reason;
            return WebhookDeliveryOutcome.Failed(now, why);
        }

        var next = now + (result.RetryAfter ?? Backoff(attempt, options, jitter));
        return next > delivery.CreatedAt + options.RetryFor
            ? WebhookDeliveryOutcome.Failed(now, $"{result.Reason}; gave up after {attempt} attempt{(attempt == 1 ? "" : "s")} (retries last {options.RetryFor})")
            : WebhookDeliveryOutcome.Retry(next, result.Reason);
    }

    /// <summary>
    /// The wait after attempt <paramref name="attempt"/> (1-based): <c>InitialBackoff * 2^(attempt-1)</c> capped at
    /// <c>MaxBackoff</c>, of which a random half (<paramref name="jitter"/> in [0, 1)) is taken off, so receivers that
    /// failed together are not all retried at the same moment.
    /// </summary>
    public static TimeSpan Backoff(int attempt, WebhookOptions options, double jitter) =>
        new Core.Retries.Backoff(options.InitialBackoff, options.MaxBackoff).Delay(attempt - 1, jitter);
}

using Enrichflow.Hosting;
using Enrichflow.Hosting.Results;
using Enrichflow.Core.Storage;
using Enrichflow.Hosting.Webhooks;

namespace Enrichflow.Server.Tests.Webhooks;

/// <summary>The one function that decides what a delivery becomes after an attempt.</summary>
public sealed class WebhookRetryPolicyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 2, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly WebhookOptions Options = new()
    {
        InitialBackoff = TimeSpan.FromSeconds(10),
        MaxBackoff = TimeSpan.FromMinutes(10),
        RetryFor = TimeSpan.FromHours(24),
    };

    private static WebhookDeliveryRecord Delivery => new("e", Guid.NewGuid(), "org", "wf", "notify", "run.completed", "https://example.com", 0,
        WebhookDeliveryStatus.Pending, 0, T0, T0);

    [Fact]
    public void Backoff_doubles_per_attempt_up_to_the_maximum_and_jitter_takes_off_at_most_half()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), WebhookRetryPolicy.Backoff(1, Options, 0));
        Assert.Equal(TimeSpan.FromSeconds(20), WebhookRetryPolicy.Backoff(2, Options, 0));
        Assert.Equal(TimeSpan.FromSeconds(40), WebhookRetryPolicy.Backoff(3, Options, 0));
        Assert.Equal(TimeSpan.FromMinutes(10), WebhookRetryPolicy.Backoff(30, Options, 0));
        Assert.Equal(TimeSpan.FromSeconds(5), WebhookRetryPolicy.Backoff(1, Options, 1));
    }

    [Theory]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(503)]
    public void Transient_answers_are_retried_later(int status)
    {
        var result = new AttemptResult(status, null, true, null);

        var outcome = WebhookRetryPolicy.Decide(Delivery, 1, result, T0, Options, 0);

        Assert.Equal(WebhookDeliveryStatus.Pending, outcome.Status);
        Assert.Equal(T0.AddSeconds(10), outcome.NextAttemptAt);
        Assert.Equal($"HTTP {status}", outcome.LastError);
    }

    [Fact]
    public void Retry_after_replaces_the_backoff()
    {
        var outcome = WebhookRetryPolicy.Decide(Delivery, 1, new AttemptResult(429, null, true, TimeSpan.FromMinutes(3)), T0, Options, 0);

        Assert.Equal(T0.AddMinutes(3), outcome.NextAttemptAt);
    }

    [Fact]
    public void A_next_attempt_past_the_retry_window_fails_the_delivery()
    {
        var late = T0 + Options.RetryFor - TimeSpan.FromSeconds(1);

        var outcome = WebhookRetryPolicy.Decide(Delivery, 40, AttemptResult.Transient("network error: refused"), late, Options, 0);

        Assert.Equal(WebhookDeliveryStatus.Failed, outcome.Status);
        Assert.Contains("gave up after 40 attempts", outcome.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void Success_delivers_and_a_permanent_error_fails_at_once()
    {
        Assert.Equal(WebhookDeliveryStatus.Delivered, WebhookRetryPolicy.Decide(Delivery, 3, new AttemptResult(204, null, false, null), T0, Options, 0).Status);
        var refused = WebhookRetryPolicy.Decide(Delivery, 1, AttemptResult.Permanent("Outbound URL http://10.0.0.1/ is refused"), T0, Options, 0);
        Assert.Equal(WebhookDeliveryStatus.Failed, refused.Status);
        Assert.StartsWith("Outbound URL", refused.LastError, StringComparison.Ordinal);
    }
}

using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Webhooks;

/// <summary>Retries, timeouts, refusals and restarts of deliveries (docs/api.md §6, issue 4 bad input).</summary>
public sealed class WebhookRetryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_receiver_answering_500_forever_is_retried_with_one_event_id_then_the_delivery_fails_and_the_run_stays_completed()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => new ReceiverAnswer(500));
        await using var server = await TestServer.StartAsync(WebhookFlows.Settings(new Dictionary<string, string?> { ["Webhooks:RetryFor"] = "00:00:02" }));

        var (runId, live) = await WebhookFlows.RunAsync(server, WebhookFlows.Definition(new { url = receiver.Url }));
        var delivery = Assert.Single((await WebhookFlows.WaitForDeliveriesAsync(server, runId)).EnumerateArray());

        Assert.Equal("completed", live.GetProperty("overall_status").GetString());
        Assert.Equal("completed", (await WebhookFlows.LiveStatusAsync(server, runId)).GetProperty("overall_status").GetString());
        Assert.Equal("failed", delivery.GetProperty("status").GetString());
        Assert.Contains("gave up", delivery.GetProperty("last_error").GetString(), StringComparison.Ordinal);
        var attempts = delivery.GetProperty("attempts").EnumerateArray().ToList();
        Assert.True(attempts.Count >= 3, $"retried several times: {delivery}");
        Assert.Equal(attempts.Count, delivery.GetProperty("attempt_count").GetInt32());
        Assert.All(attempts, a => Assert.Equal(500, a.GetProperty("status_code").GetInt32()));
        Assert.Equal(Enumerable.Range(1, attempts.Count), attempts.Select(a => a.GetProperty("attempt").GetInt32()));

        var received = receiver.Received;
        Assert.Equal(attempts.Count, received.Count);
        Assert.Single(received.Select(r => r.EventId).Distinct());
        Assert.Equal(delivery.GetProperty("event_id").GetString(), received[0].EventId);
        Assert.Equal(Enumerable.Range(1, received.Count), received.Select(r => r.Attempt).Order());
    }

    [Fact]
    public async Task A_429_with_Retry_After_is_honoured_before_the_next_attempt()
    {
        await using var receiver = await WebhookReceiver.StartAsync(n => n == 1
            ? new ReceiverAnswer(429, Headers: new Dictionary<string, string> { ["Retry-After"] = "2" })
            : new ReceiverAnswer(200));
        await using var server = await TestServer.StartAsync(WebhookFlows.Settings());

        var (runId, _) = await WebhookFlows.RunAsync(server, WebhookFlows.Definition(new { url = receiver.Url }));
        var delivery = Assert.Single((await WebhookFlows.WaitForDeliveriesAsync(server, runId)).EnumerateArray());

        Assert.Equal("delivered", delivery.GetProperty("status").GetString());
        Assert.Equal([429, 200], delivery.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("status_code").GetInt32()).ToArray());
        var received = receiver.Received;
        Assert.Equal(2, received.Count);
        Assert.True(received[1].At - received[0].At >= TimeSpan.FromSeconds(1.9), $"waited {received[1].At - received[0].At} (backoff alone is 0.1 s)");
        Assert.Equal(received[0].EventId, received[1].EventId);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(404)]
    [InlineData(410)]
    public async Task A_4xx_other_than_408_and_429_fails_the_delivery_at_once_with_the_status(int status)
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => new ReceiverAnswer(status));
        await using var server = await TestServer.StartAsync(WebhookFlows.Settings());

        var (runId, _) = await WebhookFlows.RunAsync(server, WebhookFlows.Definition(new { url = receiver.Url }));
        var delivery = Assert.Single((await WebhookFlows.WaitForDeliveriesAsync(server, runId)).EnumerateArray());

        Assert.Equal("failed", delivery.GetProperty("status").GetString());
        Assert.Contains($"HTTP {status}", delivery.GetProperty("last_error").GetString(), StringComparison.Ordinal);
        Assert.Equal(status, Assert.Single(delivery.GetProperty("attempts").EnumerateArray()).GetProperty("status_code").GetInt32());
        Assert.Single(receiver.Received);
    }

    [Fact]
    public async Task A_slow_receiver_times_out_without_delaying_the_delivery_of_another_run()
    {
        await using var slow = await WebhookReceiver.StartAsync(_ => new ReceiverAnswer(200, TimeSpan.FromSeconds(60)));
        await using var fast = await WebhookReceiver.StartAsync();
        await using var server = await TestServer.StartAsync(WebhookFlows.Settings(new Dictionary<string, string?>
        {
            ["Webhooks:Timeout"] = "00:00:05",
            ["Webhooks:RetryFor"] = "00:00:01",
        }));

        var (slowRun, _) = await WebhookFlows.RunAsync(server, WebhookFlows.Definition(new { url = slow.Url }));
        await slow.WaitForAsync(1);
        var waitingSince = DateTimeOffset.UtcNow;
        var (fastRun, _) = await WebhookFlows.RunAsync(server, WebhookFlows.Definition(new { url = fast.Url }));
        var arrived = Assert.Single(await fast.WaitForAsync(1));

        Assert.True(arrived.At - waitingSince < TimeSpan.FromSeconds(4), $"the other run's event arrived {arrived.At - waitingSince} after the slow one started (timeout 5 s)");
        var slowDelivery = Assert.Single((await WebhookFlows.LiveStatusAsync(server, slowRun)).GetProperty("webhook_deliveries").EnumerateArray());
        Assert.Equal("pending", slowDelivery.GetProperty("status").GetString());

        var ended = Assert.Single((await WebhookFlows.WaitForDeliveriesAsync(server, slowRun)).EnumerateArray());
        Assert.Equal("failed", ended.GetProperty("status").GetString());
        var attempt = Assert.Single(ended.GetProperty("attempts").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, attempt.GetProperty("status_code").ValueKind);
        Assert.Contains("no answer within 5 s", attempt.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.InRange(attempt.GetProperty("duration_ms").GetInt64(), 4_500, 15_000);
        Assert.Equal("delivered", Assert.Single((await WebhookFlows.WaitForDeliveriesAsync(server, fastRun)).EnumerateArray()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Without_the_allow_list_a_loopback_receiver_is_refused_once_and_never_called()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await TestServer.StartAsync(WebhookFlows.Settings(allowLoopback: false));

        var (runId, live) = await WebhookFlows.RunAsync(server, WebhookFlows.Definition(new { url = receiver.Url }));
        var delivery = Assert.Single((await WebhookFlows.WaitForDeliveriesAsync(server, runId)).EnumerateArray());

        Assert.Equal("completed", live.GetProperty("overall_status").GetString());
        Assert.Equal("failed", delivery.GetProperty("status").GetString());
        var attempt = Assert.Single(delivery.GetProperty("attempts").EnumerateArray());
        Assert.Contains("refused", attempt.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("loopback", delivery.GetProperty("last_error").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("token=abc", delivery.GetProperty("last_error").GetString(), StringComparison.Ordinal);
        Assert.Empty(receiver.Received);
    }

    [Fact]
    public async Task A_pending_delivery_is_resumed_with_the_same_event_id_after_a_restart()
    {
        var directory = Path.Combine(Path.GetTempPath(), "enrichflow-tests", Guid.NewGuid().ToString("N"));
        var settings = WebhookFlows.Settings(new Dictionary<string, string?>
        {
            ["Webhooks:InitialBackoff"] = "00:00:03",
            ["Webhooks:MaxBackoff"] = "00:00:03",
        });
        try
        {
            await using var receiver = await WebhookReceiver.StartAsync(n => new ReceiverAnswer(n == 1 ? 503 : 200));
            string runId;
            await using (var first = await TestServer.StartAsync(settings, dataDirectory: directory))
            {
                (runId, _) = await WebhookFlows.RunAsync(first, WebhookFlows.Definition(new { url = receiver.Url }));
                await receiver.WaitForAsync(1);
                await WaitForAttemptsAsync(first, runId, 1);
            }

            Assert.Single(receiver.Received);
            await using var second = await TestServer.StartAsync(settings, dataDirectory: directory);
            var delivery = Assert.Single((await WebhookFlows.WaitForDeliveriesAsync(second, runId)).EnumerateArray());

            Assert.Equal("delivered", delivery.GetProperty("status").GetString());
            Assert.Equal([503, 200], delivery.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("status_code").GetInt32()).ToArray());
            var received = receiver.Received;
            Assert.Equal(2, received.Count);
            Assert.Equal(received[0].EventId, received[1].EventId);
            Assert.Equal(2, received[1].Attempt);
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task WaitForAttemptsAsync(TestServer server, string runId, int attempts)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var deliveries = (await WebhookFlows.LiveStatusAsync(server, runId)).GetProperty("webhook_deliveries");
            if (deliveries.GetArrayLength() == 1 && deliveries[0].GetProperty("attempt_count").GetInt32() >= attempts)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no attempt was recorded in time: {deliveries}");
            await Task.Delay(20, Ct);
        }
    }
}

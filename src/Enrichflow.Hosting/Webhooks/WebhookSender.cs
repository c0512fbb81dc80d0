using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Threading.Channels;
using Enrichflow.Providers.Outbound;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.Execution;
using Enrichflow.Hosting.Duties;
using Microsoft.Extensions.Options;

namespace Enrichflow.Hosting.Webhooks;

/// <summary>
/// Sends pending deliveries (docs/api.md §6). Leases due deliveries from the store, attempts up to
/// <see cref="WebhookOptions.MaxConcurrency"/> at once (each with its own timeout, so a slow receiver holds one slot and
/// never delays the others), records every attempt and what the <see cref="WebhookRetryPolicy"/> makes of it. Pending
/// deliveries live in the store, so a restarted process picks them up; a periodic sweep records the deliveries of runs
/// that ended while no listener was told.
/// </summary>
/// <remarks>
/// Only the node holding the <see cref="DutyNames.WebhookDelivery"/> duty leases deliveries and sweeps
/// (docs/architecture.md §5); the others record deliveries (the run-end listener) and leave them to it. A node that
/// takes the duty (at start on the only node, or from a holder that is gone) first ends every delivery lease but
/// those of its own attempts still in flight: the previous holder's leases belong to attempts that died with it.
/// </remarks>
public sealed class WebhookSender(
    IWebhookDeliveryStore store,
    IRunStore runs,
    ISigningSecretStore secrets,
    RunPlans plans,
    BlockRegistry blocks,
    WebhookEnvelopeBuilder envelopes,
    OutboundGuard guard,
    IHttpClientFactory clients,
    IOptions<WebhookOptions> options,
    DutyLeases duties,
    TimeProvider time,
    ILogger<WebhookSender> logger) : BackgroundService
{
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };
    private static readonly ProductInfoHeaderValue UserAgent = new("Enrichflow-Webhooks", "1");

    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentDictionary<string, Task> _inFlight = new(StringComparer.Ordinal);

    /// <summary>Wakes the sender: a delivery was recorded or an attempt ended.</summary>
    public void Notify() => _wake.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        await Task.Yield();
        var duty = duties.For(DutyNames.WebhookDelivery);
        var nextSweep = DateTimeOffset.MinValue;
        var releasePending = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = settings.PollInterval;
            try
            {
                if (await duty.WaitUntilHeldAsync(stoppingToken) || releasePending)
                {
                    // Taken over: the previous holder's delivery leases are ended (ours in flight are skipped below).
                    releasePending = true;
                    await store.ReleaseAllDeliveryLeasesAsync(stoppingToken);
                    releasePending = false;
                    WebhookLog.TookOver(logger, duties.NodeId);
                    nextSweep = DateTimeOffset.MinValue;
                }

                if (time.GetUtcNow() >= nextSweep)
                {
                    nextSweep = time.GetUtcNow() + settings.SweepInterval;
                    await SweepAsync(stoppingToken);
                }

                var free = settings.MaxConcurrency - _inFlight.Count;
                if (free > 0)
                {
                    var lease = settings.Timeout + TimeSpan.FromMinutes(1);
                    foreach (var delivery in await store.ClaimDueDeliveriesAsync(time.GetUtcNow(), lease, free, stoppingToken))
                    {
                        if (!_inFlight.ContainsKey(delivery.EventId))
                        {
                            Start(delivery, stoppingToken);
                        }
                    }
                }

                if (await store.NextDeliveryDueAsync(stoppingToken) is { } due)
                {
                    wait = Min(wait, due - time.GetUtcNow());
                }

                wait = Min(wait, nextSweep - time.GetUtcNow());
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                WebhookLog.LoopFailed(logger, e);
            }

            await WaitAsync(Max(wait, TimeSpan.FromMilliseconds(5)), stoppingToken);
        }

        await Task.WhenAll(_inFlight.Values);
    }

    private void Start(WebhookDeliveryRecord delivery, CancellationToken stoppingToken)
    {
        var registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _inFlight[delivery.EventId] = Task.Run(async () =>
        {
            await registered.Task;
            try
            {
                await AttemptAsync(delivery, stoppingToken);
            }
            finally
            {
                _inFlight.TryRemove(delivery.EventId, out _);
                Notify();
            }
        }, CancellationToken.None);
        registered.SetResult();
    }

    private async Task WaitAsync(TimeSpan wait, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(wait);
        try
        {
            await _wake.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Waited long enough, or stopping.
        }
    }

    /// <summary>Makes one attempt of <paramref name="delivery"/> and records it with what follows.</summary>
    private async Task AttemptAsync(WebhookDeliveryRecord delivery, CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var attempt = delivery.AttemptCount + 1;
        var startedAt = time.GetUtcNow();
        var clock = Stopwatch.StartNew();
        AttemptResult result;
        try
        {
            result = await SendAsync(delivery, attempt, settings, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await ReleaseQuietlyAsync(delivery.EventId);
            return;
        }
        catch (Exception e)
        {
            WebhookLog.PrepareFailed(logger, delivery.RunId, delivery.EventId, e);
            result = AttemptResult.Transient($"the event could not be prepared: {e.Message}");
        }

        var duration = clock.Elapsed;
        var now = time.GetUtcNow();
        var outcome = WebhookRetryPolicy.Decide(delivery, attempt, result, now, settings, Random.Shared.NextDouble());
        var url = Describe(delivery.Url);
        try
        {
            await store.RecordAttemptAsync(new WebhookAttemptRecord(delivery.EventId, attempt, startedAt, duration, result.StatusCode, result.Error), outcome, CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            WebhookLog.LoopFailed(logger, e);
            await ReleaseQuietlyAsync(delivery.EventId);
            return;
        }

        switch (outcome.Status)
        {
            case WebhookDeliveryStatus.Delivered:
                WebhookLog.Delivered(logger, delivery.RunId, delivery.EventId, delivery.EventType, url, attempt);
                break;
            case WebhookDeliveryStatus.Failed:
                WebhookLog.Failed(logger, delivery.RunId, delivery.EventId, url, attempt, outcome.LastError ?? result.Reason);
                break;
            default:
                WebhookLog.Retrying(logger, delivery.RunId, delivery.EventId, url, attempt, result.Reason, outcome.NextAttemptAt);
                break;
        }
    }

    private async Task<AttemptResult> SendAsync(WebhookDeliveryRecord delivery, int attempt, WebhookOptions settings, CancellationToken stoppingToken)
    {
        if (!Uri.TryCreate(delivery.Url, UriKind.Absolute, out var url))
        {
            return AttemptResult.Permanent("The receiver's URL is not an absolute URL.");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(settings.Timeout);
        try
        {
            var check = await guard.CheckAsync(url, timeout.Token);
            if (!check.IsAllowed)
            {
                return check.IsTransient ? AttemptResult.Transient(check.Message!) : AttemptResult.Permanent(check.Message!);
            }

            var envelope = await envelopes.BuildAsync(delivery, stoppingToken);
            if (envelope is null)
            {
                return AttemptResult.Permanent($"Run {delivery.RunId} no longer exists.");
            }

            var body = envelope.ToUtf8Bytes();
            using var request = new HttpRequestMessage(HttpMethod.Post, url);
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = Json;
            request.Headers.UserAgent.Add(UserAgent);
            request.Headers.TryAddWithoutValidation("Sixtyfour-Event-Id", delivery.EventId);
            request.Headers.TryAddWithoutValidation("Sixtyfour-Event-Type", delivery.EventType);
            request.Headers.TryAddWithoutValidation("Sixtyfour-Delivery-Attempt", attempt.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var signing = await secrets.GetSigningSecretsAsync(delivery.OrgId, envelope.SentAt, stoppingToken);
            if (signing.Count > 0)
            {
                request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, WebhookSignature.Sign(signing, envelope.SentAt.ToUnixTimeSeconds(), body));
            }

            using var client = clients.CreateClient(OutboundServiceCollectionExtensions.HttpClientName);
            client.Timeout = Timeout.InfiniteTimeSpan; // each attempt has its own timeout
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return AttemptResult.FromResponse(response, time);
        }
        catch (Exception e) when (HttpFailure.FromException(e, stoppingToken) is { } failure)
        {
            return AttemptResult.FromFailure(failure, settings.Timeout);
        }
    }

    /// <summary>Records the deliveries of runs that ended within the retry window without the listener having recorded them.</summary>
    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var undecided = new List<Guid>();
        foreach (var type in blocks.All.Where(t => t.SendsRunEndNotices))
        {
            undecided.AddRange(await store.ListUndecidedEndedRunsAsync(type.Name, now - settings.RetryFor, now - settings.SweepGrace, 100, cancellationToken));
        }

        foreach (var runId in undecided.Distinct())
        {
            if (await runs.GetRunAsync(runId, cancellationToken) is not { } run)
            {
                continue;
            }

            IReadOnlyList<WebhookDeliveryRecord> deliveries;
            try
            {
                var (plan, _) = plans.Compile(run);
                deliveries = WebhookRunEndListener.Deliveries(run, plan, time.GetUtcNow());
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                WebhookLog.SweepFailed(logger, run.Id, e);
                deliveries = [];
            }

            var added = await store.RecordRunDeliveriesAsync(run.Id, deliveries, time.GetUtcNow(), cancellationToken);
            WebhookLog.Swept(logger, run.Id, added);
        }
    }

    private async Task ReleaseQuietlyAsync(string eventId)
    {
        try
        {
            await store.ReleaseDeliveryAsync(eventId, CancellationToken.None);
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
        {
            // The store is gone (shutting down): the lease expires, or is released when the duty is next taken.
        }
    }

    /// <summary>The receiver as logs show it: scheme, host and port (a path or query may hold a token).</summary>
    private static string Describe(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var parsed) ? parsed.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped) : "(not a URL)";

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

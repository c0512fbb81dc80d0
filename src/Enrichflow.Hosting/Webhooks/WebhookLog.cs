using Microsoft.Extensions.Logging;

using Enrichflow.Core.Diagnostics;

namespace Enrichflow.Hosting.Webhooks;

/// <summary>Log messages of outgoing webhooks (event ids 6001–6099). They never carry rows, secrets or the URL's query.</summary>
internal static partial class WebhookLog
{
    [LoggerMessage(EventId = LogEvents.WebhookDelivered, Level = LogLevel.Information, Message = "Run {RunId}: event {EventId} ({EventType}) delivered to {Url} on attempt {Attempt}")]
    public static partial void Delivered(ILogger logger, Guid runId, string eventId, string eventType, string url, int attempt);

    [LoggerMessage(EventId = LogEvents.WebhookRetrying, Level = LogLevel.Warning, Message = "Run {RunId}: event {EventId} to {Url}, attempt {Attempt} failed ({Reason}); next attempt at {NextAttemptAt}")]
    public static partial void Retrying(ILogger logger, Guid runId, string eventId, string url, int attempt, string reason, DateTimeOffset nextAttemptAt);

    [LoggerMessage(EventId = LogEvents.WebhookFailed, Level = LogLevel.Warning, Message = "Run {RunId}: event {EventId} to {Url} failed after {Attempts} attempts: {Reason}")]
    public static partial void Failed(ILogger logger, Guid runId, string eventId, string url, int attempts, string reason);

    [LoggerMessage(EventId = LogEvents.WebhookSwept, Level = LogLevel.Information, Message = "Run {RunId} ended without its webhook deliveries recorded; {Count} recorded now")]
    public static partial void Swept(ILogger logger, Guid runId, int count);

    [LoggerMessage(EventId = LogEvents.WebhookLoopFailed, Level = LogLevel.Error, Message = "The webhook sender's loop failed; it continues")]
    public static partial void LoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = LogEvents.WebhookPrepareFailed, Level = LogLevel.Error, Message = "Run {RunId}: event {EventId} could not be prepared")]
    public static partial void PrepareFailed(ILogger logger, Guid runId, string eventId, Exception exception);

    [LoggerMessage(EventId = LogEvents.WebhookSweepFailed, Level = LogLevel.Warning, Message = "Run {RunId}: the webhook deliveries could not be decided")]
    public static partial void SweepFailed(ILogger logger, Guid runId, Exception exception);

    [LoggerMessage(EventId = LogEvents.WebhookDeliveriesTakenOver, Level = LogLevel.Information, Message = "Node {NodeId} delivers webhooks now; the delivery leases of the previous holder were ended")]
    public static partial void TookOver(ILogger logger, string nodeId);
}

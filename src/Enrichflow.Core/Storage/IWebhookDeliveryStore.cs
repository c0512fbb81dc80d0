namespace Enrichflow.Core.Storage;

/// <summary>
/// Deliveries of outgoing webhooks (docs/api.md §6): one per <c>outgoing_webhook</c> block and run end, identified by a
/// stable event id, with every attempt. Pending deliveries are leased by the sender that attempts them, so a
/// delivery is attempted by one sender at a time and resumed by another after a restart.
/// </summary>
public interface IWebhookDeliveryStore
{
    /// <summary>
    /// Records that the deliveries of an ended run were decided, and adds those that are absent (by event id), in one
    /// transaction. Deciding again adds nothing already there. Returns how many deliveries were added.
    /// </summary>
    Task<int> RecordRunDeliveriesAsync(Guid runId, IReadOnlyList<WebhookDeliveryRecord> deliveries, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Runs that ended (completed, failed or cancelled) between <paramref name="endedAfter"/> and
    /// <paramref name="endedBefore"/>, have a block named <paramref name="blockName"/> and whose deliveries were never
    /// decided: the process died between the run's end and its listener. Oldest end first.
    /// </summary>
    Task<IReadOnlyList<Guid>> ListUndecidedEndedRunsAsync(string blockName, DateTimeOffset endedAfter, DateTimeOffset endedBefore, int limit, CancellationToken cancellationToken);

    Task<WebhookDeliveryRecord?> GetDeliveryAsync(string eventId, CancellationToken cancellationToken);

    /// <summary>The run's deliveries in the order they were created.</summary>
    Task<IReadOnlyList<WebhookDeliveryRecord>> ListRunDeliveriesAsync(Guid runId, CancellationToken cancellationToken);

    /// <summary>Every attempt of the run's deliveries, by delivery creation then attempt number.</summary>
    Task<IReadOnlyList<WebhookAttemptRecord>> ListRunAttemptsAsync(Guid runId, CancellationToken cancellationToken);

    /// <summary>
    /// Leases up to <paramref name="limit"/> pending deliveries whose next attempt is due at <paramref name="now"/> and
    /// whose lease (if any) has expired, earliest due first, until <paramref name="now"/> + <paramref name="lease"/>.
    /// </summary>
    Task<IReadOnlyList<WebhookDeliveryRecord>> ClaimDueDeliveriesAsync(DateTimeOffset now, TimeSpan lease, int limit, CancellationToken cancellationToken);

    /// <summary>When the earliest pending delivery is due (its lease expiry when later), or null when none is pending.</summary>
    Task<DateTimeOffset?> NextDeliveryDueAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Records one attempt and what follows from it (see <see cref="WebhookDeliveryOutcome"/>) and ends the lease.
    /// Recording the same attempt number again changes nothing.
    /// </summary>
    Task RecordAttemptAsync(WebhookAttemptRecord attempt, WebhookDeliveryOutcome outcome, CancellationToken cancellationToken);

    /// <summary>Ends the lease of a delivery without an attempt (the sender stopped before it could make one).</summary>
    Task ReleaseDeliveryAsync(string eventId, CancellationToken cancellationToken);

    /// <summary>Ends every lease now (the node that takes the webhook-delivery duty calls this: it is the only sender, and the previous one is gone).</summary>
    Task ReleaseAllDeliveryLeasesAsync(CancellationToken cancellationToken);
}

public enum WebhookDeliveryStatus { Pending, Delivered, Failed }

/// <summary>One event to send to one URL.</summary>
/// <param name="EventId">Stable across attempts and across the run-end listener being told twice.</param>
/// <param name="EventType"><c>run.completed</c>, <c>run.failed</c> or <c>run.cancelled</c>.</param>
/// <param name="IncludeRows">How many rows of the block's output go inline (0 for none).</param>
/// <param name="AttemptCount">Attempts made so far.</param>
/// <param name="NextAttemptAt">When a pending delivery is due; for an ended one, when it ended.</param>
/// <param name="LastError">Why the last attempt did not deliver (status code or error), or why the delivery failed.</param>
public sealed record WebhookDeliveryRecord(
    string EventId,
    Guid RunId,
    string OrgId,
    string WorkflowId,
    string BlockId,
    string EventType,
    string Url,
    int IncludeRows,
    WebhookDeliveryStatus Status,
    int AttemptCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset NextAttemptAt,
    DateTimeOffset? CompletedAt = null,
    string? LastError = null);

/// <summary>One attempt of a delivery: the receiver's status code or the error, and how long it took.</summary>
public sealed record WebhookAttemptRecord(
    string EventId,
    int Attempt,
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    int? StatusCode,
    string? Error);

/// <summary>What a delivery becomes after an attempt: delivered, failed, or pending again until <see cref="NextAttemptAt"/>.</summary>
public sealed record WebhookDeliveryOutcome(WebhookDeliveryStatus Status, DateTimeOffset NextAttemptAt, string? LastError)
{
    public static WebhookDeliveryOutcome Delivered(DateTimeOffset at) => new(WebhookDeliveryStatus.Delivered, at, null);

    public static WebhookDeliveryOutcome Failed(DateTimeOffset at, string reason) => new(WebhookDeliveryStatus.Failed, at, reason);

    public static WebhookDeliveryOutcome Retry(DateTimeOffset at, string reason) => new(WebhookDeliveryStatus.Pending, at, reason);
}

public static class WebhookDeliveryStatuses
{
    public static string ToWire(this WebhookDeliveryStatus status) => status.ToString().ToLowerInvariant();
}

using Enrichflow.Core.Diagnostics;
using Enrichflow.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Enrichflow.Storage.Sqlite;

public sealed partial class SqliteStore : IWebhookDeliveryStore
{
    private const string DeliveryColumns =
        "event_id, run_id, org_id, workflow_id, block_id, event_type, url, include_rows, status, attempt_count, created_at, next_attempt_at, completed_at, last_error";

    public Task<int> RecordRunDeliveriesAsync(Guid runId, IReadOnlyList<WebhookDeliveryRecord> deliveries, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        return WriteAsync(connection =>
        {
            connection.Execute(
                "INSERT OR IGNORE INTO webhook_runs (run_id, decided_at) VALUES ($run, $now)",
                ("$run", runId), ("$now", now));
            var added = 0;
            foreach (var d in deliveries)
            {
                added += connection.Execute(
                    $"""
                    INSERT OR IGNORE INTO webhook_deliveries ({DeliveryColumns})
                    VALUES ($id, $run, $org, $workflow, $block, $type, $url, $rows, $status, $attempts, $created, $next, $completed, $error)
                    """,
                    ("$id", d.EventId), ("$run", d.RunId), ("$org", d.OrgId), ("$workflow", d.WorkflowId), ("$block", d.BlockId),
                    ("$type", d.EventType), ("$url", d.Url), ("$rows", (long)d.IncludeRows), ("$status", d.Status.ToWire()),
                    ("$attempts", (long)d.AttemptCount), ("$created", d.CreatedAt), ("$next", d.NextAttemptAt),
                    ("$completed", d.CompletedAt), ("$error", d.LastError));
            }

            return added;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<Guid>> ListUndecidedEndedRunsAsync(string blockName, DateTimeOffset endedAfter, DateTimeOffset endedBefore, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Guid>>(Read(connection => connection.Query(
            """
            SELECT r.id FROM runs r
            WHERE r.status IN ('completed', 'failed', 'cancelled')
              AND r.completed_at >= $after AND r.completed_at <= $before
              AND EXISTS (SELECT 1 FROM run_blocks b WHERE b.run_id = r.id AND b.block_name = $block)
              AND NOT EXISTS (SELECT 1 FROM webhook_runs w WHERE w.run_id = r.id)
            ORDER BY r.completed_at, r.id
            LIMIT $limit
            """,
            reader => Guid.Parse(reader.GetString(0)),
            ("$block", blockName), ("$after", endedAfter), ("$before", endedBefore), ("$limit", (long)limit)), cancellationToken));

    public Task<WebhookDeliveryRecord?> GetDeliveryAsync(string eventId, CancellationToken cancellationToken) =>
        Task.FromResult(Read(connection => connection.QueryFirst(
            $"SELECT {DeliveryColumns} FROM webhook_deliveries WHERE event_id = $id", ReadDelivery, ("$id", eventId)), cancellationToken));

    public Task<IReadOnlyList<WebhookDeliveryRecord>> ListRunDeliveriesAsync(Guid runId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<WebhookDeliveryRecord>>(Read(connection => connection.Query(
            $"SELECT {DeliveryColumns} FROM webhook_deliveries WHERE run_id = $run ORDER BY created_at, rowid",
            ReadDelivery, ("$run", runId)), cancellationToken));

    public Task<IReadOnlyList<WebhookAttemptRecord>> ListRunAttemptsAsync(Guid runId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<WebhookAttemptRecord>>(Read(connection => connection.Query(
            """
            SELECT a.event_id, a.attempt, a.started_at, a.duration_ms, a.status_code, a.error
            FROM webhook_attempts a JOIN webhook_deliveries d ON d.event_id = a.event_id
            WHERE d.run_id = $run ORDER BY d.created_at, d.rowid, a.attempt
            """,
            reader => new WebhookAttemptRecord(
                reader.GetString(0),
                reader.GetInt32(1),
                reader.GetTime(2),
                TimeSpan.FromMilliseconds(reader.GetDouble(3)),
                reader.GetInt32OrNull(4),
                reader.GetStringOrNull(5)),
            ("$run", runId)), cancellationToken));

    public Task<IReadOnlyList<WebhookDeliveryRecord>> ClaimDueDeliveriesAsync(DateTimeOffset now, TimeSpan lease, int limit, CancellationToken cancellationToken) =>
        WriteAsync<IReadOnlyList<WebhookDeliveryRecord>>(connection =>
        {
            var due = connection.Query(
                $"""
                SELECT {DeliveryColumns} FROM webhook_deliveries
                WHERE status = 'pending' AND next_attempt_at <= $now AND (lease_until IS NULL OR lease_until <= $now)
                ORDER BY next_attempt_at, rowid
                LIMIT $limit
                """,
                ReadDelivery, ("$now", now), ("$limit", (long)limit));
            foreach (var delivery in due)
            {
                connection.Execute(
                    "UPDATE webhook_deliveries SET lease_until = $until WHERE event_id = $id",
                    ("$id", delivery.EventId), ("$until", now + lease));
            }

            return due;
        }, cancellationToken);

    public Task<DateTimeOffset?> NextDeliveryDueAsync(CancellationToken cancellationToken) =>
        Task.FromResult(Read(connection =>
        {
            var text = connection.Scalar<string>(
                """
                SELECT min(CASE WHEN lease_until IS NOT NULL AND lease_until > next_attempt_at THEN lease_until ELSE next_attempt_at END)
                FROM webhook_deliveries WHERE status = 'pending'
                """);
            return text is null ? (DateTimeOffset?)null : ParseTime(text);
        }, cancellationToken));

    public Task RecordAttemptAsync(WebhookAttemptRecord attempt, WebhookDeliveryOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(outcome);
        return WriteAsync(connection =>
        {
            var added = connection.Execute(
                """
                INSERT OR IGNORE INTO webhook_attempts (event_id, attempt, started_at, duration_ms, status_code, error)
                SELECT $id, $attempt, $started, $duration, $code, $error WHERE EXISTS (SELECT 1 FROM webhook_deliveries WHERE event_id = $id)
                """,
                ("$id", attempt.EventId), ("$attempt", (long)attempt.Attempt), ("$started", attempt.StartedAt),
                ("$duration", attempt.Duration.TotalMilliseconds), ("$code", attempt.StatusCode is int code ? (long)code : null), ("$error", attempt.Error));
            if (added == 0)
            {
                return;
            }

            var ended = outcome.Status != WebhookDeliveryStatus.Pending;
            connection.Execute(
                """
                UPDATE webhook_deliveries
                SET status = $status, attempt_count = max(attempt_count, $attempt), next_attempt_at = $next,
                    completed_at = CASE WHEN $ended THEN $next END, last_error = $error, lease_until = NULL
                WHERE event_id = $id AND status = 'pending'
                """,
                ("$id", attempt.EventId), ("$status", outcome.Status.ToWire()), ("$attempt", (long)attempt.Attempt),
                ("$next", outcome.NextAttemptAt), ("$ended", ended), ("$error", outcome.LastError));
        }, cancellationToken);
    }

    public Task ReleaseDeliveryAsync(string eventId, CancellationToken cancellationToken) =>
        WriteAsync(connection => connection.Execute(
            "UPDATE webhook_deliveries SET lease_until = NULL WHERE event_id = $id", ("$id", eventId)), cancellationToken);

    public Task ReleaseAllDeliveryLeasesAsync(CancellationToken cancellationToken) =>
        WriteAsync(connection => connection.Execute(
            "UPDATE webhook_deliveries SET lease_until = NULL WHERE lease_until IS NOT NULL"), cancellationToken);

    private static WebhookDeliveryRecord ReadDelivery(SqliteDataReader reader) => new(
        reader.GetString(0),
        Guid.Parse(reader.GetString(1)),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetString(4),
        reader.GetString(5),
        reader.GetString(6),
        reader.GetInt32(7),
        reader.GetString(8) switch
        {
            "pending" => WebhookDeliveryStatus.Pending,
            "delivered" => WebhookDeliveryStatus.Delivered,
            "failed" => WebhookDeliveryStatus.Failed,
            var other => ThrowHelper.UnknownStoredValue<WebhookDeliveryStatus>("webhook delivery status", other, "webhook_deliveries"),
        },
        reader.GetInt32(9),
        reader.GetTime(10),
        reader.GetTime(11),
        reader.GetTimeOrNull(12),
        reader.GetStringOrNull(13));

    private static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.ParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
}

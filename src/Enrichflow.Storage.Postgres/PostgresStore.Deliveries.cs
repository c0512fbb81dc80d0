using Enrichflow.Core.Diagnostics;
using Enrichflow.Core.Storage;
using Npgsql;

namespace Enrichflow.Storage.Postgres;

public sealed partial class PostgresStore : IWebhookDeliveryStore
{
    private const string DeliveryColumns =
        "event_id, run_id, org_id, workflow_id, block_id, event_type, url, include_rows, status, attempt_count, created_at, next_attempt_at, completed_at, last_error";

    public Task<int> RecordRunDeliveriesAsync(Guid runId, IReadOnlyList<WebhookDeliveryRecord> deliveries, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        return WriteAsync(async db =>
        {
            await db.ExecuteAsync(
                "INSERT INTO webhook_runs (run_id, decided_at) VALUES (@run, @now) ON CONFLICT DO NOTHING",
                ("run", runId), ("now", now));
            var added = 0;
            foreach (var d in deliveries)
            {
                added += await db.ExecuteAsync(
                    $"""
                    INSERT INTO webhook_deliveries ({DeliveryColumns})
                    VALUES (@id, @run, @org, @workflow, @block, @type, @url, @rows, @status, @attempts, @created, @next, @completed, @error)
                    ON CONFLICT DO NOTHING
                    """,
                    ("id", d.EventId), ("run", d.RunId), ("org", d.OrgId), ("workflow", d.WorkflowId), ("block", d.BlockId),
                    ("type", d.EventType), ("url", d.Url), ("rows", d.IncludeRows), ("status", d.Status.ToWire()),
                    ("attempts", d.AttemptCount), ("created", d.CreatedAt), ("next", d.NextAttemptAt),
                    ("completed", d.CompletedAt), ("error", d.LastError));
            }

            return added;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<Guid>> ListUndecidedEndedRunsAsync(string blockName, DateTimeOffset endedAfter, DateTimeOffset endedBefore, int limit, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<Guid>>(async db => await db.QueryAsync(
            """
            SELECT r.id FROM runs r
            WHERE r.status IN ('completed', 'failed', 'cancelled')
              AND r.completed_at >= @after AND r.completed_at <= @before
              AND EXISTS (SELECT 1 FROM run_blocks b WHERE b.run_id = r.id AND b.block_name = @block)
              AND NOT EXISTS (SELECT 1 FROM webhook_runs w WHERE w.run_id = r.id)
            ORDER BY r.completed_at, r.id
            LIMIT @limit
            """,
            reader => reader.GetGuid(0),
            ("block", blockName), ("after", endedAfter), ("before", endedBefore), ("limit", limit)), cancellationToken);

    public Task<WebhookDeliveryRecord?> GetDeliveryAsync(string eventId, CancellationToken cancellationToken) =>
        ReadAsync(db => db.QueryFirstAsync(
            $"SELECT {DeliveryColumns} FROM webhook_deliveries WHERE event_id = @id", ReadDelivery, ("id", eventId)), cancellationToken);

    public Task<IReadOnlyList<WebhookDeliveryRecord>> ListRunDeliveriesAsync(Guid runId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<WebhookDeliveryRecord>>(async db => await db.QueryAsync(
            $"SELECT {DeliveryColumns} FROM webhook_deliveries WHERE run_id = @run ORDER BY created_at, ordinal",
            ReadDelivery, ("run", runId)), cancellationToken);

    public Task<IReadOnlyList<WebhookAttemptRecord>> ListRunAttemptsAsync(Guid runId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<WebhookAttemptRecord>>(async db => await db.QueryAsync(
            """
            SELECT a.event_id, a.attempt, a.started_at, a.duration_ms, a.status_code, a.error
            FROM webhook_attempts a JOIN webhook_deliveries d ON d.event_id = a.event_id
            WHERE d.run_id = @run ORDER BY d.created_at, d.ordinal, a.attempt
            """,
            reader => new WebhookAttemptRecord(
                reader.GetString(0),
                reader.GetInt32(1),
                reader.GetTime(2),
                TimeSpan.FromMilliseconds(reader.GetDouble(3)),
                reader.GetInt32OrNull(4),
                reader.GetStringOrNull(5)),
            ("run", runId)), cancellationToken);

    /// <remarks>The due deliveries are locked with SKIP LOCKED, so senders on several nodes take different ones.</remarks>
    public Task<IReadOnlyList<WebhookDeliveryRecord>> ClaimDueDeliveriesAsync(DateTimeOffset now, TimeSpan lease, int limit, CancellationToken cancellationToken) =>
        WriteAsync<IReadOnlyList<WebhookDeliveryRecord>>(async db =>
        {
            var due = await db.QueryAsync(
                $"""
                SELECT {DeliveryColumns} FROM webhook_deliveries
                WHERE status = 'pending' AND next_attempt_at <= @now AND (lease_until IS NULL OR lease_until <= @now)
                ORDER BY next_attempt_at, ordinal
                LIMIT @limit
                FOR UPDATE SKIP LOCKED
                """,
                ReadDelivery, ("now", now), ("limit", limit));
            if (due.Count > 0)
            {
                await db.ExecuteAsync(
                    "UPDATE webhook_deliveries SET lease_until = @until WHERE event_id = ANY(@ids::text[])",
                    ("ids", due.Select(d => d.EventId).ToArray()), ("until", now + lease));
            }

            return due;
        }, cancellationToken);

    public Task<DateTimeOffset?> NextDeliveryDueAsync(CancellationToken cancellationToken) =>
        ReadAsync(async db =>
        {
            var text = await db.ScalarAsync<string>(
                """
                SELECT min(CASE WHEN lease_until IS NOT NULL AND lease_until > next_attempt_at THEN lease_until ELSE next_attempt_at END)
                FROM webhook_deliveries WHERE status = 'pending'
                """);
            return text is null ? (DateTimeOffset?)null : PgValues.ParseTime(text);
        }, cancellationToken);

    public Task RecordAttemptAsync(WebhookAttemptRecord attempt, WebhookDeliveryOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(outcome);
        return WriteAsync(async db =>
        {
            var added = await db.ExecuteAsync(
                """
                INSERT INTO webhook_attempts (event_id, attempt, started_at, duration_ms, status_code, error)
                SELECT @id::text, @attempt::integer, @started::text, @duration::double precision, @code::integer, @error::text
                WHERE EXISTS (SELECT 1 FROM webhook_deliveries WHERE event_id = @id)
                ON CONFLICT DO NOTHING
                """,
                ("id", attempt.EventId), ("attempt", attempt.Attempt), ("started", attempt.StartedAt),
                ("duration", attempt.Duration.TotalMilliseconds), ("code", attempt.StatusCode), ("error", attempt.Error));
            if (added == 0)
            {
                return;
            }

            var ended = outcome.Status != WebhookDeliveryStatus.Pending;
            await db.ExecuteAsync(
                """
                UPDATE webhook_deliveries
                SET status = @status, attempt_count = greatest(attempt_count, @attempt), next_attempt_at = @next,
                    completed_at = CASE WHEN @ended THEN @next END, last_error = @error::text, lease_until = NULL
                WHERE event_id = @id AND status = 'pending'
                """,
                ("id", attempt.EventId), ("status", outcome.Status.ToWire()), ("attempt", attempt.Attempt),
                ("next", outcome.NextAttemptAt), ("ended", ended), ("error", outcome.LastError));
        }, cancellationToken);
    }

    public Task ReleaseDeliveryAsync(string eventId, CancellationToken cancellationToken) =>
        WriteAsync(db => db.ExecuteAsync(
            "UPDATE webhook_deliveries SET lease_until = NULL WHERE event_id = @id", ("id", eventId)), cancellationToken);

    public Task ReleaseAllDeliveryLeasesAsync(CancellationToken cancellationToken) =>
        WriteAsync(db => db.ExecuteAsync(
            "UPDATE webhook_deliveries SET lease_until = NULL WHERE lease_until IS NOT NULL"), cancellationToken);

    private static WebhookDeliveryRecord ReadDelivery(NpgsqlDataReader reader) => new(
        reader.GetString(0),
        reader.GetGuid(1),
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
}

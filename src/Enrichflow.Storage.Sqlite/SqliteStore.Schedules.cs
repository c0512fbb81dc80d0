using Enrichflow.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Enrichflow.Storage.Sqlite;

public sealed partial class SqliteStore : IScheduleStore
{
    private const string SelectSchedule =
        """
        SELECT id, org_id, workflow_id, name, description, cron_expression, time_zone, is_active, webhook_payload, specs_override,
               next_run_at, last_run_at, last_run_id, last_error, created_at, updated_at
        FROM schedules
        """;

    /// <remarks>The insert names the workflow in the same statement, so a workflow deleted meanwhile adds nothing.</remarks>
    public Task<bool> CreateScheduleAsync(ScheduleRecord schedule, CancellationToken cancellationToken) =>
        WriteAsync(connection => connection.Execute(
            """
            INSERT INTO schedules (id, org_id, workflow_id, name, description, cron_expression, time_zone, is_active, webhook_payload,
                                   specs_override, next_run_at, last_run_at, last_run_id, last_error, created_at, updated_at)
            SELECT $id, $org, $workflow, $name, $description, $cron, $zone, $active, $payload, $specs, $next, $lastRun, $lastRunId,
                   $lastError, $created, $updated
            WHERE EXISTS (SELECT 1 FROM workflows WHERE org_id = $org AND id = $workflow)
            """,
            ("$id", schedule.Id), ("$org", schedule.OrgId), ("$workflow", schedule.WorkflowId), ("$name", schedule.Name),
            ("$description", schedule.Description), ("$cron", schedule.CronExpression), ("$zone", schedule.TimeZone),
            ("$active", schedule.IsActive), ("$payload", schedule.WebhookPayloadJson), ("$specs", schedule.SpecsOverrideJson),
            ("$next", schedule.NextRunAt), ("$lastRun", schedule.LastRunAt), ("$lastRunId", schedule.LastRunId),
            ("$lastError", schedule.LastError), ("$created", schedule.CreatedAt), ("$updated", schedule.UpdatedAt)) == 1, cancellationToken);

    public Task<ScheduleRecord?> GetScheduleAsync(string orgId, Guid id, CancellationToken cancellationToken) =>
        Task.FromResult(Read(connection => GetSchedule(connection, orgId, id), cancellationToken));

    public Task<IReadOnlyList<ScheduleRecord>> ListSchedulesAsync(string orgId, string? workflowId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ScheduleRecord>>(Read(connection => connection.Query(
            $"{SelectSchedule} WHERE org_id = $org AND ($workflow IS NULL OR workflow_id = $workflow) ORDER BY created_at, id",
            ReadSchedule, ("$org", orgId), ("$workflow", workflowId)), cancellationToken));

    public Task<ScheduleRecord?> UpdateScheduleAsync(ScheduleRecord schedule, CancellationToken cancellationToken) =>
        WriteAsync(connection =>
        {
            var changed = connection.Execute(
                """
                UPDATE schedules
                SET name = $name, description = $description, cron_expression = $cron, time_zone = $zone, is_active = $active,
                    webhook_payload = $payload, specs_override = $specs, next_run_at = $next, updated_at = $updated
                WHERE org_id = $org AND id = $id
                """,
                ("$id", schedule.Id), ("$org", schedule.OrgId), ("$name", schedule.Name), ("$description", schedule.Description),
                ("$cron", schedule.CronExpression), ("$zone", schedule.TimeZone), ("$active", schedule.IsActive),
                ("$payload", schedule.WebhookPayloadJson), ("$specs", schedule.SpecsOverrideJson), ("$next", schedule.NextRunAt),
                ("$updated", schedule.UpdatedAt));
            return changed == 1 ? GetSchedule(connection, schedule.OrgId, schedule.Id) : null;
        }, cancellationToken);

    public Task<bool> DeleteScheduleAsync(string orgId, Guid id, CancellationToken cancellationToken) =>
        WriteAsync(connection => connection.Execute(
            "DELETE FROM schedules WHERE org_id = $org AND id = $id", ("$org", orgId), ("$id", id)) == 1, cancellationToken);

    public Task<IReadOnlyList<ScheduleRecord>> ListDueSchedulesAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ScheduleRecord>>(Read(connection => connection.Query(
            $"{SelectSchedule} WHERE is_active = 1 AND next_run_at <= $now ORDER BY next_run_at, id LIMIT $limit",
            ReadSchedule, ("$now", now), ("$limit", limit)), cancellationToken));

    public Task<DateTimeOffset?> GetEarliestDueTimeAsync(CancellationToken cancellationToken) =>
        Task.FromResult(Read(connection =>
        {
            var earliest = connection.Scalar<string>("SELECT min(next_run_at) FROM schedules WHERE is_active = 1");
            return earliest is null ? (DateTimeOffset?)null : SqliteCommands.ParseTime(earliest);
        }, cancellationToken));

    /// <remarks>
    /// The compare-and-set on <c>next_run_at</c> is the lease: of several servers (or a server and itself after a
    /// restart) that saw the same due time, one moves it and adds the run; the others change nothing.
    /// </remarks>
    public Task<bool> ClaimDueTimeAsync(ScheduleClaim claim, QueuedRun? run, CancellationToken cancellationToken) =>
        WriteAsync(connection =>
        {
            var claimed = connection.Execute(
                """
                UPDATE schedules
                SET next_run_at = $next, last_run_at = $due, last_run_id = $run, last_error = $error
                WHERE id = $id AND is_active = 1 AND next_run_at = $due
                """,
                ("$id", claim.ScheduleId), ("$due", claim.Due), ("$next", claim.Next), ("$run", claim.RunId), ("$error", claim.Error)) == 1;
            if (claimed && run is not null)
            {
                InsertRun(connection, run.Run, run.Blocks);
                AddPendingUnits(connection, run.Units, run.Run.QueuedAt);
            }

            return claimed;
        }, cancellationToken);

    private static ScheduleRecord? GetSchedule(SqliteConnection connection, string orgId, Guid id) =>
        connection.QueryFirst($"{SelectSchedule} WHERE org_id = $org AND id = $id", ReadSchedule, ("$org", orgId), ("$id", id));

    private static ScheduleRecord ReadSchedule(SqliteDataReader reader) => new(
        Id: reader.GetGuid(0),
        OrgId: reader.GetString(1),
        WorkflowId: reader.GetString(2),
        Name: reader.GetString(3),
        Description: reader.GetString(4),
        CronExpression: reader.GetString(5),
        TimeZone: reader.GetString(6),
        IsActive: reader.GetInt64(7) != 0,
        WebhookPayloadJson: reader.GetStringOrNull(8),
        SpecsOverrideJson: reader.GetStringOrNull(9),
        NextRunAt: reader.GetTimeOrNull(10),
        LastRunAt: reader.GetTimeOrNull(11),
        LastRunId: reader.IsDBNull(12) ? null : reader.GetGuid(12),
        LastError: reader.GetStringOrNull(13),
        CreatedAt: reader.GetTime(14),
        UpdatedAt: reader.GetTime(15));
}

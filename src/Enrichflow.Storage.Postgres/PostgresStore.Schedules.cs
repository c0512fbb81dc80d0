using Enrichflow.Core.Storage;
using Npgsql;

namespace Enrichflow.Storage.Postgres;

public sealed partial class PostgresStore : IScheduleStore
{
    private const string SelectSchedule =
        """
        SELECT id, org_id, workflow_id, name, description, cron_expression, time_zone, is_active, webhook_payload, specs_override,
               next_run_at, last_run_at, last_run_id, last_error, created_at, updated_at
        FROM schedules
        """;

    /// <remarks>The insert names the workflow in the same statement, so a workflow deleted meanwhile adds nothing.</remarks>
    public Task<bool> CreateScheduleAsync(ScheduleRecord schedule, CancellationToken cancellationToken) =>
        WriteAsync(async db => await db.ExecuteAsync(
            """
            INSERT INTO schedules (id, org_id, workflow_id, name, description, cron_expression, time_zone, is_active, webhook_payload,
                                   specs_override, next_run_at, last_run_at, last_run_id, last_error, created_at, updated_at)
            SELECT @id::uuid, @org::text, @workflow::text, @name::text, @description::text, @cron::text, @zone::text, @active::boolean,
                   @payload::text, @specs::text, @next::text, @lastRun::text, @lastRunId::uuid, @lastError::text, @created::text, @updated::text
            WHERE EXISTS (SELECT 1 FROM workflows WHERE org_id = @org AND id = @workflow)
            """,
            ("id", schedule.Id), ("org", schedule.OrgId), ("workflow", schedule.WorkflowId), ("name", schedule.Name),
            ("description", schedule.Description), ("cron", schedule.CronExpression), ("zone", schedule.TimeZone),
            ("active", schedule.IsActive), ("payload", schedule.WebhookPayloadJson), ("specs", schedule.SpecsOverrideJson),
            ("next", schedule.NextRunAt), ("lastRun", schedule.LastRunAt), ("lastRunId", schedule.LastRunId),
            ("lastError", schedule.LastError), ("created", schedule.CreatedAt), ("updated", schedule.UpdatedAt)) == 1, cancellationToken);

    public Task<ScheduleRecord?> GetScheduleAsync(string orgId, Guid id, CancellationToken cancellationToken) =>
        ReadAsync(db => GetScheduleAsync(db, orgId, id), cancellationToken);

    public Task<IReadOnlyList<ScheduleRecord>> ListSchedulesAsync(string orgId, string? workflowId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<ScheduleRecord>>(async db => await db.QueryAsync(
            $"{SelectSchedule} WHERE org_id = @org AND (@workflow::text IS NULL OR workflow_id = @workflow::text) ORDER BY created_at, id",
            ReadSchedule, ("org", orgId), ("workflow", workflowId)), cancellationToken);

    public Task<ScheduleRecord?> UpdateScheduleAsync(ScheduleRecord schedule, CancellationToken cancellationToken) =>
        WriteAsync(async db =>
        {
            var changed = await db.ExecuteAsync(
                """
                UPDATE schedules
                SET name = @name, description = @description, cron_expression = @cron, time_zone = @zone, is_active = @active,
                    webhook_payload = @payload, specs_override = @specs, next_run_at = @next, updated_at = @updated
                WHERE org_id = @org AND id = @id
                """,
                ("id", schedule.Id), ("org", schedule.OrgId), ("name", schedule.Name), ("description", schedule.Description),
                ("cron", schedule.CronExpression), ("zone", schedule.TimeZone), ("active", schedule.IsActive),
                ("payload", schedule.WebhookPayloadJson), ("specs", schedule.SpecsOverrideJson), ("next", schedule.NextRunAt),
                ("updated", schedule.UpdatedAt));
            return changed == 1 ? await GetScheduleAsync(db, schedule.OrgId, schedule.Id) : null;
        }, cancellationToken);

    public Task<bool> DeleteScheduleAsync(string orgId, Guid id, CancellationToken cancellationToken) =>
        WriteAsync(async db => await db.ExecuteAsync(
            "DELETE FROM schedules WHERE org_id = @org AND id = @id", ("org", orgId), ("id", id)) == 1, cancellationToken);

    public Task<IReadOnlyList<ScheduleRecord>> ListDueSchedulesAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<ScheduleRecord>>(async db => await db.QueryAsync(
            $"{SelectSchedule} WHERE is_active AND next_run_at <= @now ORDER BY next_run_at, id LIMIT @limit",
            ReadSchedule, ("now", now), ("limit", limit)), cancellationToken);

    public Task<DateTimeOffset?> GetEarliestDueTimeAsync(CancellationToken cancellationToken) =>
        ReadAsync(async db =>
        {
            var earliest = await db.ScalarAsync<string>("SELECT min(next_run_at) FROM schedules WHERE is_active");
            return earliest is null ? (DateTimeOffset?)null : PgValues.ParseTime(earliest);
        }, cancellationToken);

    /// <remarks>
    /// The compare-and-set on <c>next_run_at</c> is the lease: of several servers (or a server and itself after a
    /// restart) that saw the same due time, one moves it and adds the run; the others wait on the schedule's row, then
    /// find the due time moved and change nothing.
    /// </remarks>
    public Task<bool> ClaimDueTimeAsync(ScheduleClaim claim, QueuedRun? run, CancellationToken cancellationToken) =>
        WriteAsync(async db =>
        {
            var claimed = await db.ExecuteAsync(
                """
                UPDATE schedules
                SET next_run_at = @next::text, last_run_at = @due, last_run_id = @run::uuid, last_error = @error::text
                WHERE id = @id AND is_active AND next_run_at = @due
                """,
                ("id", claim.ScheduleId), ("due", claim.Due), ("next", claim.Next), ("run", claim.RunId), ("error", claim.Error)) == 1;
            if (claimed && run is not null)
            {
                await InsertRunAsync(db, run.Run, run.Blocks);
                await AddPendingUnitsAsync(db, run.Units, run.Run.QueuedAt);
            }

            return claimed;
        }, cancellationToken);

    private static Task<ScheduleRecord?> GetScheduleAsync(PgSession db, string orgId, Guid id) =>
        db.QueryFirstAsync($"{SelectSchedule} WHERE org_id = @org AND id = @id", ReadSchedule, ("org", orgId), ("id", id));

    private static ScheduleRecord ReadSchedule(NpgsqlDataReader reader) => new(
        Id: reader.GetGuid(0),
        OrgId: reader.GetString(1),
        WorkflowId: reader.GetString(2),
        Name: reader.GetString(3),
        Description: reader.GetString(4),
        CronExpression: reader.GetString(5),
        TimeZone: reader.GetString(6),
        IsActive: reader.GetBoolean(7),
        WebhookPayloadJson: reader.GetStringOrNull(8),
        SpecsOverrideJson: reader.GetStringOrNull(9),
        NextRunAt: reader.GetTimeOrNull(10),
        LastRunAt: reader.GetTimeOrNull(11),
        LastRunId: reader.GetGuidOrNull(12),
        LastError: reader.GetStringOrNull(13),
        CreatedAt: reader.GetTime(14),
        UpdatedAt: reader.GetTime(15));
}

using Enrichflow.Core.Diagnostics;
using Enrichflow.Core.Storage;
using Npgsql;

namespace Enrichflow.Storage.Postgres;

public sealed partial class PostgresStore
{
    private const string EmptyDefinition = """{"blocks":[],"edges":[]}""";

    private const string SelectWorkflow =
        """
        SELECT w.id, w.org_id, w.name, w.description, w.status, w.step, w.created_at, w.updated_at, w.last_run_date,
               w.version, v.definition_json
        FROM workflows w
        JOIN workflow_versions v ON v.org_id = w.org_id AND v.workflow_id = w.id AND v.version = w.version
        """;

    public Task<WorkflowRecord?> GetAsync(string orgId, string id, CancellationToken cancellationToken) =>
        ReadAsync(db => GetWorkflowAsync(db, orgId, id), cancellationToken);

    public Task<IReadOnlyList<WorkflowRecord>> ListAsync(string orgId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<WorkflowRecord>>(
            async db => await db.QueryAsync($"{SelectWorkflow} WHERE w.org_id = @org ORDER BY w.updated_at DESC, w.id", ReadWorkflow, ("org", orgId)),
            cancellationToken);

    /// <remarks>The record's name, description, status, step, times and definition are stored; its version is 1.</remarks>
    public Task<bool> TryCreateAsync(WorkflowRecord workflow, CancellationToken cancellationToken) =>
        WriteAsync(async db =>
        {
            var added = await db.ExecuteAsync(
                """
                INSERT INTO workflows (org_id, id, name, description, status, step, created_at, updated_at, last_run_date, version)
                VALUES (@org, @id, @name, @description, @status, @step, @created, @updated, @lastRun, 1)
                ON CONFLICT (org_id, id) DO NOTHING
                """,
                ("org", workflow.OrgId), ("id", workflow.Id), ("name", workflow.Name), ("description", workflow.Description),
                ("status", workflow.Status.ToWire()), ("step", workflow.Step.ToWire()), ("created", workflow.CreatedAt),
                ("updated", workflow.UpdatedAt), ("lastRun", workflow.LastRunDate)) == 1;
            if (added)
            {
                await AddDefinitionVersionAsync(db, workflow.OrgId, workflow.Id, 1, workflow.DefinitionJson, workflow.CreatedAt);
            }

            return added;
        }, cancellationToken);

    /// <remarks>The workflow's row is locked (or inserted) first, so concurrent updates of one workflow take turns.</remarks>
    public Task<WorkflowRecord> UpsertAsync(string orgId, string id, WorkflowUpdate update, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async db =>
        {
            var inserted = await db.ExecuteAsync(
                """
                INSERT INTO workflows (org_id, id, name, description, status, step, created_at, updated_at, version)
                VALUES (@org, @id, @name, @description, @active, @draft, @now, @now, 1)
                ON CONFLICT (org_id, id) DO NOTHING
                """,
                ("org", orgId), ("id", id), ("name", update.Name ?? ""), ("description", update.Description ?? ""), ("now", now),
                ("active", WorkflowStatus.Active.ToWire()), ("draft", WorkflowStep.Draft.ToWire())) == 1;
            if (inserted)
            {
                await AddDefinitionVersionAsync(db, orgId, id, 1, update.DefinitionJson ?? EmptyDefinition, now);
            }
            else
            {
                var current = await db.ScalarAsync<int>("SELECT version FROM workflows WHERE org_id = @org AND id = @id FOR UPDATE", ("org", orgId), ("id", id));
                var version = update.DefinitionJson is null ? current : current + 1;
                if (update.DefinitionJson is not null)
                {
                    await AddDefinitionVersionAsync(db, orgId, id, version, update.DefinitionJson, now);
                }

                await db.ExecuteAsync(
                    """
                    UPDATE workflows
                    SET name = coalesce(@name::text, name), description = coalesce(@description::text, description),
                        status = @active, updated_at = @now, version = @version
                    WHERE org_id = @org AND id = @id
                    """,
                    ("org", orgId), ("id", id), ("name", update.Name), ("description", update.Description), ("now", now),
                    ("version", version), ("active", WorkflowStatus.Active.ToWire()));
            }

            return (await GetWorkflowAsync(db, orgId, id))!;
        }, cancellationToken);

    /// <remarks>Its versions and schedules go with it, in the same transaction.</remarks>
    public Task<WorkflowRecord?> DeleteAsync(string orgId, string id, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async db =>
        {
            var workflow = await GetWorkflowAsync(db, orgId, id);
            if (workflow is null)
            {
                return null;
            }

            await db.ExecuteAsync("DELETE FROM schedules WHERE org_id = @org AND workflow_id = @id", ("org", orgId), ("id", id));
            await db.ExecuteAsync("DELETE FROM workflow_versions WHERE org_id = @org AND workflow_id = @id", ("org", orgId), ("id", id));
            await db.ExecuteAsync("DELETE FROM workflows WHERE org_id = @org AND id = @id", ("org", orgId), ("id", id));
            return workflow with { Status = WorkflowStatus.Deleted, Step = WorkflowStep.Deleted, UpdatedAt = now };
        }, cancellationToken);

    public Task<string?> GetDefinitionVersionAsync(string orgId, string id, int version, CancellationToken cancellationToken) =>
        ReadAsync(db => db.ScalarAsync<string>(
            "SELECT definition_json FROM workflow_versions WHERE org_id = @org AND workflow_id = @id AND version = @version",
            ("org", orgId), ("id", id), ("version", version)), cancellationToken);

    /// <remarks>Leaves <c>updated_at</c> alone: it tracks edits of the workflow, not its runs.</remarks>
    public Task RecordRunAsync(string orgId, string id, DateTimeOffset when, bool completed, CancellationToken cancellationToken) =>
        WriteAsync(db => completed
            ? db.ExecuteAsync("UPDATE workflows SET step = @completed WHERE org_id = @org AND id = @id",
                ("org", orgId), ("id", id), ("completed", WorkflowStep.Completed.ToWire()))
            : db.ExecuteAsync("UPDATE workflows SET last_run_date = @when WHERE org_id = @org AND id = @id",
                ("org", orgId), ("id", id), ("when", when)), cancellationToken);

    private static Task<WorkflowRecord?> GetWorkflowAsync(PgSession db, string orgId, string id) =>
        db.QueryFirstAsync($"{SelectWorkflow} WHERE w.org_id = @org AND w.id = @id", ReadWorkflow, ("org", orgId), ("id", id));

    private static Task<int> AddDefinitionVersionAsync(PgSession db, string orgId, string id, int version, string definitionJson, DateTimeOffset now) =>
        db.ExecuteAsync(
            """
            INSERT INTO workflow_versions (org_id, workflow_id, version, definition_json, created_at)
            VALUES (@org, @id, @version, @definition, @now)
            """,
            ("org", orgId), ("id", id), ("version", version), ("definition", definitionJson), ("now", now));

    private static WorkflowRecord ReadWorkflow(NpgsqlDataReader reader)
    {
        var status = WorkflowStatuses.ParseWorkflowStatus(reader.GetString(4))
            ?? ThrowHelper.UnknownStoredValue<WorkflowStatus>("workflow status", reader.GetString(4), "the workflows table");
        return new WorkflowRecord(
            Id: reader.GetString(0),
            OrgId: reader.GetString(1),
            Name: reader.GetString(2),
            Description: reader.GetString(3),
            Status: status,
            Step: status == WorkflowStatus.Deleted ? WorkflowStep.Deleted : WorkflowStatuses.ParseWorkflowStep(reader.GetString(5))
                ?? ThrowHelper.UnknownStoredValue<WorkflowStep>("workflow step", reader.GetString(5), "the workflows table"),
            CreatedAt: reader.GetTime(6),
            UpdatedAt: reader.GetTime(7),
            LastRunDate: reader.GetTimeOrNull(8),
            Version: reader.GetInt32(9),
            DefinitionJson: reader.GetString(10));
    }
}

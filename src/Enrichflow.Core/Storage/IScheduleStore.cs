namespace Enrichflow.Core.Storage;

/// <summary>
/// Schedules (docs/api.md §10): a cron expression in a time zone that starts runs of a workflow. The next due time
/// is stored, and <see cref="ClaimDueTimeAsync"/> takes it and records the run in one transaction, so each due time
/// starts one run however many servers share the store and however often they restart.
/// </summary>
public interface IScheduleStore
{
    /// <summary>Adds a schedule; false when its workflow does not exist in its organization.</summary>
    Task<bool> CreateScheduleAsync(ScheduleRecord schedule, CancellationToken cancellationToken);

    /// <summary>The schedule when it exists in the organization (a foreign one is null).</summary>
    Task<ScheduleRecord?> GetScheduleAsync(string orgId, Guid id, CancellationToken cancellationToken);

    /// <summary>The organization's schedules, of one workflow when <paramref name="workflowId"/> is given, oldest first.</summary>
    Task<IReadOnlyList<ScheduleRecord>> ListSchedulesAsync(string orgId, string? workflowId, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the schedule's editable fields (name, description, cron expression, time zone, active, payload,
    /// specs override, next due time, <c>updated_at</c>) with those of <paramref name="schedule"/>; its times of the
    /// last run stay. Null when it does not exist in the organization.
    /// </summary>
    Task<ScheduleRecord?> UpdateScheduleAsync(ScheduleRecord schedule, CancellationToken cancellationToken);

    /// <summary>Deletes the schedule; false when it does not exist in the organization. Runs it started stay.</summary>
    Task<bool> DeleteScheduleAsync(string orgId, Guid id, CancellationToken cancellationToken);

    /// <summary>Active schedules whose next due time is at or before <paramref name="now"/>, earliest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<ScheduleRecord>> ListDueSchedulesAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>The earliest next due time of any active schedule, or null when none is active.</summary>
    Task<DateTimeOffset?> GetEarliestDueTimeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Takes a due time, in one transaction: when the schedule is active and its next due time is still
    /// <see cref="ScheduleClaim.Due"/> (compare and set), moves it to <see cref="ScheduleClaim.Next"/>, records the
    /// last run, and adds <paramref name="run"/> (the queued run, its blocks and its first units) when given. Returns
    /// false, adding nothing, when another claim or an edit came first.
    /// </summary>
    Task<bool> ClaimDueTimeAsync(ScheduleClaim claim, QueuedRun? run, CancellationToken cancellationToken);
}

/// <param name="WebhookPayloadJson">The <c>webhook_payload</c> every run gets (a list of objects or one object), as JSON; null for none.</param>
/// <param name="SpecsOverrideJson">The <c>specs_override</c> every run gets, as a JSON object; null for none.</param>
/// <param name="NextRunAt">The next due time; null while inactive.</param>
/// <param name="LastRunAt">The due time the last run was started for (a catch-up run's: the first time missed).</param>
/// <param name="LastRunId">The run started last; null when none was, or when the last due time could not start one.</param>
/// <param name="LastError">Why the last due time started no run (the workflow no longer takes the schedule's input); null when it did.</param>
public sealed record ScheduleRecord(
    Guid Id,
    string OrgId,
    string WorkflowId,
    string Name,
    string Description,
    string CronExpression,
    string TimeZone,
    bool IsActive,
    string? WebhookPayloadJson,
    string? SpecsOverrideJson,
    DateTimeOffset? NextRunAt,
    DateTimeOffset? LastRunAt,
    Guid? LastRunId,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A claim of a schedule's due time: the time expected in the store, the next one to store, and why no run starts (or null).</summary>
public sealed record ScheduleClaim(Guid ScheduleId, DateTimeOffset Due, DateTimeOffset? Next, Guid? RunId, string? Error);

/// <summary>A new run as the store records it: the run (queued), its blocks, and the units it starts with.</summary>
public sealed record QueuedRun(RunRecord Run, IReadOnlyList<RunBlockRecord> Blocks, IReadOnlyList<UnitKey> Units);

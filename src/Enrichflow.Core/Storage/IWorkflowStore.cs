namespace Enrichflow.Core.Storage;

/// <summary>Workflows and their versioned definitions, scoped by organization.</summary>
public interface IWorkflowStore
{
    Task<WorkflowRecord?> GetAsync(string orgId, string id, CancellationToken cancellationToken);

    /// <summary>The organization's workflows, newest <c>updated_at</c> first.</summary>
    Task<IReadOnlyList<WorkflowRecord>> ListAsync(string orgId, CancellationToken cancellationToken);

    /// <summary>Adds a new workflow at version 1; false when (org, id) exists already (a deleted workflow's id is free).</summary>
    Task<bool> TryCreateAsync(WorkflowRecord workflow, CancellationToken cancellationToken);

    /// <summary>
    /// Applies a partial update; a new definition gets the next version. Creates the workflow when absent
    /// (upsert; missing name/description become empty, a missing definition an empty one).
    /// </summary>
    Task<WorkflowRecord> UpsertAsync(string orgId, string id, WorkflowUpdate update, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the workflow for good, with its definition versions and its schedules, and returns it as it was, with
    /// status and step <c>deleted</c> and <c>updated_at</c> <paramref name="now"/>; null when it does not exist.
    /// Its runs (which keep the name and definition they ran with), results and notebooks stay. The id is free
    /// again: a later create with it starts a new workflow at version 1 (docs/api.md §2).
    /// </summary>
    Task<WorkflowRecord?> DeleteAsync(string orgId, string id, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The definition saved as <paramref name="version"/>, or null.</summary>
    Task<string?> GetDefinitionVersionAsync(string orgId, string id, int version, CancellationToken cancellationToken);

    /// <summary>Records a run start (<c>last_run_date</c>) or, with <paramref name="completed"/>, a completed run (<c>step</c> becomes completed).</summary>
    Task RecordRunAsync(string orgId, string id, DateTimeOffset when, bool completed, CancellationToken cancellationToken);
}

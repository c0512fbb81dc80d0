namespace Enrichflow.Core.Storage;

public sealed record Organization(string Id, string Name, DateTimeOffset CreatedAt);

/// <summary>An API key, kept only as its SHA-256 hash.</summary>
public sealed record ApiKeyRecord(string Id, string OrgId, byte[] Hash, bool ReadOnly, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt = null);

/// <summary>An uploaded file (docs/api.md §4).</summary>
public sealed record UploadRecord(Guid HandleId, string OrgId, string FileName, string BlobKey, long SizeBytes, DateTimeOffset CreatedAt);

/// <summary>The first response to a request with an <c>Idempotency-Key</c>.</summary>
public sealed record IdempotencyRecord(string OrgId, string Key, string RequestHash, string ResponseJson, DateTimeOffset CreatedAt);

/// <summary>Whether a workflow is in use. Deletion is permanent, so <see cref="Deleted"/> is only ever the answer to the delete itself.</summary>
public enum WorkflowStatus { Active, Deleted }

/// <summary>How far a workflow got: a draft until one of its runs completes; a deleted workflow reports <see cref="Deleted"/>.</summary>
public enum WorkflowStep { Draft, Completed, Deleted }

/// <summary>The wire (JSON and stored) names of <see cref="WorkflowStatus"/> and <see cref="WorkflowStep"/>.</summary>
public static class WorkflowStatuses
{
    public static string ToWire(this WorkflowStatus status) => status switch
    {
        WorkflowStatus.Active => "active",
        WorkflowStatus.Deleted => "deleted",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static string ToWire(this WorkflowStep step) => step switch
    {
        WorkflowStep.Draft => "draft",
        WorkflowStep.Completed => "completed",
        WorkflowStep.Deleted => "deleted",
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, null),
    };

    /// <summary>The status whose wire name is <paramref name="value"/>, or null.</summary>
    public static WorkflowStatus? ParseWorkflowStatus(string value)
    {
        foreach (var status in Enum.GetValues<WorkflowStatus>())
        {
            if (status.ToWire() == value)
            {
                return status;
            }
        }

        return null;
    }

    /// <summary>The step whose wire name is <paramref name="value"/>, or null.</summary>
    public static WorkflowStep? ParseWorkflowStep(string value)
    {
        foreach (var step in Enum.GetValues<WorkflowStep>())
        {
            if (step.ToWire() == value)
            {
                return step;
            }
        }

        return null;
    }
}

public sealed record WorkflowRecord(
    string Id,
    string OrgId,
    string Name,
    string Description,
    WorkflowStatus Status,
    WorkflowStep Step,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? LastRunDate,
    int Version,
    string DefinitionJson);

/// <summary>A partial update of a workflow; null fields are left as they are.</summary>
public sealed record WorkflowUpdate(string? Name, string? Description, string? DefinitionJson);

public enum RunStatus { Queued, Running, Paused, Completed, Failed, Cancelled }

public enum BlockStatus { Pending, Running, Completed, Failed, Cancelled }

public static class RunStatuses
{
    public static bool IsTerminal(this RunStatus status) =>
        status is RunStatus.Completed or RunStatus.Failed or RunStatus.Cancelled;

    public static string ToWire(this RunStatus status) => status.ToString().ToLowerInvariant();

    public static string ToWire(this BlockStatus status) => status.ToString().ToLowerInvariant();

    public static string ToWire(this UnitStatus status) => status.ToString().ToLowerInvariant();

    public static RunStatus? ParseRunStatus(string value) =>
        Enum.TryParse<RunStatus>(value, ignoreCase: true, out var status) && !int.TryParse(value, out _) ? status : null;

    /// <summary>A status a client asked for (a query filter): a stored name, or <c>canceled</c>, Sixtyfour's spelling of <c>cancelled</c>.</summary>
    public static RunStatus? ParseRequestedRunStatus(string value) =>
        string.Equals(value, "canceled", StringComparison.OrdinalIgnoreCase) ? RunStatus.Cancelled : ParseRunStatus(value);
}

/// <param name="DefinitionJson">The definition as it was when the run was queued.</param>
/// <param name="OptionsJson">Run options (result formats, input, specs override, cache config) as JSON.</param>
/// <param name="SourceChunkCount">How many chunks the source produced; null until the source has finished.</param>
/// <param name="ProgressPercent">The highest overall progress reported so far (it never goes down).</param>
/// <param name="ScheduleId">The schedule that started the run (docs/api.md §10); null for a run started by a request.</param>
public sealed record RunRecord(
    Guid Id,
    string OrgId,
    string WorkflowId,
    string WorkflowName,
    int WorkflowVersion,
    string DefinitionJson,
    string OptionsJson,
    RunStatus Status,
    DateTimeOffset QueuedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? StartedAt = null,
    DateTimeOffset? CompletedAt = null,
    string? StatusReason = null,
    string? ErrorMessage = null,
    int? SourceChunkCount = null,
    int ProgressPercent = 0,
    Guid? ScheduleId = null);

/// <summary>A block of a run, with the counters its committed units added up to.</summary>
public sealed record RunBlockRecord(
    Guid RunId,
    string BlockId,
    string BlockName,
    int SequenceNumber,
    int Position,
    BlockStatus Status,
    DateTimeOffset? StartedAt = null,
    DateTimeOffset? CompletedAt = null,
    long RowsIn = 0,
    long RowsOut = 0,
    long RowsRejected = 0,
    long RowsFailed = 0,
    int ChunksDone = 0,
    string? ErrorMessage = null,
    DateTimeOffset? UpdatedAt = null);

/// <summary>Which run status a query wants.</summary>
public sealed record RunQuery(string OrgId, IReadOnlyList<RunStatus>? Statuses, string? WorkflowId, int Limit);

/// <summary>A result file of a run (docs/api.md §3.1).</summary>
public sealed record ResultFileRecord(
    Guid RunId,
    string BlockId,
    int BlockNumber,
    ResultFormat Format,
    string FileName,
    string BlobKey,
    long RowCount,
    long FileSize,
    DateTimeOffset CreatedAt,
    string? Message)
{
    /// <summary>
    /// True while the file is recorded but not yet rendered: its bytes are made from the run's stored chunks on the
    /// first download (docs/api.md §3.1, <c>Results:Materialize</c>), and <see cref="FileSize"/> is 0 until then.
    /// </summary>
    public bool Pending { get; init; }
}

using Enrichflow.Core.Storage;
using Enrichflow.Engine;

namespace Enrichflow.Server.Apis;

public sealed record RunStarted(string Status, string WorkflowId, Guid JobId, CacheConfig CacheConfig, bool AlreadyStarted)
{
    /// <summary>The run's credit budget (ours); null when it has none.</summary>
    public double? MaxCredits { get; init; }
}

public sealed record JobStatus(Guid JobId, string Status);

/// <param name="Providers">Each enrichment block's calls per provider (waterfall step); null when the run made none.</param>
public sealed record RunMetrics(long RowsIn, long RowsOut, long RowsRejected, double CreditsUsed, long ProviderCalls = 0, long CacheHits = 0, IReadOnlyList<RunProviderMetrics>? Providers = null);

/// <summary>One block's calls to one provider (the job and retry counts as in live status' <c>providers</c>).</summary>
public sealed record RunProviderMetrics(string BlockId, string Provider, long Calls, long Hits, long Misses, long Failures, long CacheHits, double CreditsUsed,
    long JobsResumed = 0, long JobsResubmitted = 0, long NotRetried = 0);

/// <summary>A run (docs/api.md §3 <c>Run</c>); <see cref="ScheduleId"/> (ours) names the schedule that started it, null for a run a request started.</summary>
public sealed record RunResponse(
    Guid JobId,
    Guid RunId,
    string WorkflowId,
    string WorkflowName,
    int WorkflowVersion,
    string Status,
    string Step,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset QueuedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    long? DurationMs,
    string? StatusReason,
    string? ErrorMessage,
    RunMetrics Metrics,
    object? Blocks,
    int BlocksCount,
    Guid? ScheduleId)
{
    public static RunResponse From(RunRecord run, IReadOnlyList<RunBlockRecord> blocks, IReadOnlyList<UsageTotals> usage)
    {
        var ordered = blocks.OrderBy(b => b.Position).ToList();
        var source = ordered.FirstOrDefault();
        var last = ordered.LastOrDefault();
        var metrics = new RunMetrics(source?.RowsIn ?? 0, last?.RowsOut ?? 0, ordered.Sum(b => b.RowsRejected), Math.Round(usage.Sum(u => u.Credits), 4),
            usage.Sum(u => u.Calls), usage.Sum(u => u.CacheHits),
            usage.Count == 0 ? null : [.. usage.Select(u => new RunProviderMetrics(u.BlockId ?? "", u.Provider, u.Calls, u.Hits, u.Misses, u.Failures, u.CacheHits, Math.Round(u.Credits, 4),
                u.JobsResumed, u.JobsResubmitted, u.NotRetried))]);
        long? duration = run.StartedAt is { } started ? (long)((run.CompletedAt ?? DateTimeOffset.UtcNow) - started).TotalMilliseconds : null;
        var step = run.Status switch
        {
            RunStatus.Running => ordered.FirstOrDefault(b => b.Status is BlockStatus.Running)?.BlockId ?? "running",
            _ => run.Status.ToWire(),
        };
        return new RunResponse(run.Id, run.Id, run.WorkflowId, run.WorkflowName, run.WorkflowVersion, run.Status.ToWire(), step,
            run.QueuedAt, run.UpdatedAt, run.QueuedAt, run.StartedAt, run.CompletedAt, duration, run.StatusReason, run.ErrorMessage,
            metrics, null, ordered.Count, run.ScheduleId);
    }
}

using Enrichflow.Core.Storage;

namespace Enrichflow.Engine.Status;

/// <summary>
/// A run's live status (docs/api.md §3 <c>LiveStatus</c>, typed as Sixtyfour's <c>WorkflowLiveStatusResponse</c>),
/// computed from committed counters. <see cref="CurrentBlock"/> and <see cref="EstimationBlockedBy"/> are block
/// names as the definition wrote them, or null.
/// </summary>
public sealed record RunLiveStatus(
    Guid RunId,
    string WorkflowId,
    string OverallStatus,
    int OverallProgressPercentage,
    string? CurrentBlock,
    int? CurrentBlockSequence,
    int TotalBlocks,
    int CompletedBlocks,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    DateTimeOffset LastUpdated,
    string? EstimationBlockedBy,
    string? StatusReason,
    string? ErrorMessage,
    IReadOnlyList<BlockLiveStatus> Blocks,
    IReadOnlyList<WebhookDeliveryLiveStatus>? WebhookDeliveries = null);

/// <summary>
/// One block's live status (Sixtyfour's <c>BlockLiveStatus</c>): <see cref="BlockName"/> as the definition wrote it;
/// <see cref="TotalCount"/> is 0 until the block's input is known, the estimate meanwhile in <see cref="EstimatedTotalCount"/>.
/// </summary>
public sealed record BlockLiveStatus(
    string BlockId,
    string BlockName,
    int SequenceNumber,
    IReadOnlyList<string> PreviousBlockIds,
    string Status,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    int ProgressPercentage,
    string CurrentStep,
    long ProcessedCount,
    long TotalCount,
    long? EstimatedTotalCount,
    DateTimeOffset LastUpdated,
    string? ErrorMessage,
    BlockMetrics Metrics);

/// <summary>A block's metrics (Sixtyfour's <c>BlockMetrics</c>, plus ours): <see cref="DataframeType"/> is the kind of rows the block yields, <c>LEAD</c> when no block fixes it.</summary>
public sealed record BlockMetrics(
    long RowCount,
    string DataframeType,
    long ProcessedCount,
    long TotalCount,
    long RowsRejected,
    long RowsFailed,
    double CreditsUsed,
    long CacheHits,
    long ProviderCalls,
    IReadOnlyList<ProviderStepMetrics>? Providers = null);

/// <summary>
/// One provider's share of an enrichment block's work (one step of a waterfall): paid calls, answers that filled
/// every field (hits), answers that found less (misses), failures, answers read from the cache, and credits; then
/// provider jobs found recorded and waited on instead of submitted again (after a restart), jobs the provider no
/// longer knew and that were submitted once more, and calls not retried because the provider may have charged them.
/// </summary>
public sealed record ProviderStepMetrics(string Provider, long Calls, long Hits, long Misses, long Failures, long CacheHits, double CreditsUsed,
    long JobsResumed = 0, long JobsResubmitted = 0, long NotRetried = 0)
{
    public static ProviderStepMetrics From(UsageTotals totals) =>
        new(totals.Provider, totals.Calls, totals.Hits, totals.Misses, totals.Failures, totals.CacheHits, Math.Round(totals.Credits, 4),
            totals.JobsResumed, totals.JobsResubmitted, totals.NotRetried);
}

/// <summary>
/// One outgoing webhook delivery of the run (docs/api.md §6): pending, delivered or failed, with every attempt. The URL is
/// shown without its query (it may carry a token).
/// </summary>
public sealed record WebhookDeliveryLiveStatus(
    string EventId,
    string EventType,
    string BlockId,
    string Url,
    string Status,
    int AttemptCount,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? CompletedAt,
    string? LastError,
    IReadOnlyList<WebhookAttemptLiveStatus> Attempts);

/// <summary>One attempt of a delivery: the receiver's status code or the error, and how long it took.</summary>
public sealed record WebhookAttemptLiveStatus(int Attempt, DateTimeOffset StartedAt, long DurationMs, int? StatusCode, string? Error);

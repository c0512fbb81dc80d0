using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Enrichflow.Client.Models;

/// <summary>The body of <c>POST /workflows/run</c> and <c>/workflows/estimate</c> (docs/api.md §3); every field optional.</summary>
public sealed record RunRequest
{
    /// <summary>The rows of a <c>webhook</c> workflow: a JSON array of objects, or one object (one row).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonNode? WebhookPayload { get; init; }

    /// <summary>Keys replacing the source block's specs for this run (<c>resource_handle_id</c> picks an upload).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonObject? SpecsOverride { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CacheConfig? CacheConfig { get; init; }

    /// <summary>(ours) The run pauses rather than spend more credits.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? MaxCredits { get; init; }

    /// <summary>A run over rows given here (a <c>webhook</c> workflow).</summary>
    public static RunRequest WithRows(IEnumerable<JsonObject> rows) => new() { WebhookPayload = new JsonArray([.. rows]) };

    /// <summary>A run over an upload (a <c>read_csv</c> workflow): <c>specs_override.resource_handle_id</c>.</summary>
    public static RunRequest WithUpload(string handleId) => new() { SpecsOverride = new JsonObject { ["resource_handle_id"] = handleId } };
}

/// <summary>Query options of a run start: more result formats (CSV is always written) and an <c>Idempotency-Key</c>.</summary>
public sealed record RunStartOptions
{
    /// <summary><c>json</c>, <c>ndjson</c> (and <c>csv</c>, always written).</summary>
    public IReadOnlyList<string> ResultFormats { get; init; } = [];

    /// <summary>Sixtyfour's <c>save_json=true</c>: the same as adding <c>json</c>.</summary>
    public bool SaveJson { get; init; }

    public string? IdempotencyKey { get; init; }
}

/// <summary><c>{enabled, ttl_days}</c>: the provider cache of a run.</summary>
public sealed record CacheConfig(bool Enabled = true, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? TtlDays = null);

/// <summary>The answer of a run start; <see cref="JobId"/> is the run id.</summary>
public sealed record RunStarted(string Status, string WorkflowId, string JobId, CacheConfig? CacheConfig, bool? AlreadyStarted, double? MaxCredits);

/// <summary>The answer of cancel and resume.</summary>
public sealed record JobStatus(string JobId, string Status);

/// <summary>A run (docs/api.md §3 <c>Run</c>); fields Sixtyfour may leave out are nullable.</summary>
public sealed record Run(
    string JobId,
    string? RunId,
    string WorkflowId,
    string? WorkflowName,
    int? WorkflowVersion,
    string Status,
    string? Step,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? UpdatedAt,
    DateTimeOffset? QueuedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    long? DurationMs,
    string? StatusReason,
    string? ErrorMessage,
    RunMetrics? Metrics,
    int BlocksCount,
    string? ScheduleId);

/// <summary>A run's totals; the provider fields are ours.</summary>
public sealed record RunMetrics(long? RowsIn, long? RowsOut, long? RowsRejected, double? CreditsUsed, long? ProviderCalls, long? CacheHits, IReadOnlyList<ProviderStepMetrics>? Providers);

/// <summary>One block's (or run's) calls to one provider (a waterfall step).</summary>
public sealed record ProviderStepMetrics(string? BlockId, string Provider, long Calls, long Hits, long Misses, long Failures, long CacheHits, double CreditsUsed,
    long JobsResumed, long JobsResubmitted, long NotRetried);

/// <summary>Which runs <c>GET /workflows/runs</c> lists.</summary>
public sealed record RunListQuery(string? Status = null, string? WorkflowId = null, int? Limit = null);

/// <summary>A run's live status (docs/api.md §3 <c>LiveStatus</c>, Sixtyfour's <c>WorkflowLiveStatusResponse</c>).</summary>
public sealed record LiveStatus(
    string RunId,
    string WorkflowId,
    string OverallStatus,
    double OverallProgressPercentage,
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
    IReadOnlyList<BlockLiveStatus>? Blocks)
{
    /// <summary>Completed, failed or cancelled (Sixtyfour's <c>canceled</c> too): the run will not change again.</summary>
    [JsonIgnore]
    public bool IsTerminal => RunStatuses.IsTerminal(OverallStatus);
}

/// <summary>One block's live status.</summary>
public sealed record BlockLiveStatus(
    string? BlockId,
    string BlockName,
    int SequenceNumber,
    IReadOnlyList<string>? PreviousBlockIds,
    string Status,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    double ProgressPercentage,
    string? CurrentStep,
    long ProcessedCount,
    long TotalCount,
    long? EstimatedTotalCount,
    DateTimeOffset LastUpdated,
    string? ErrorMessage,
    BlockMetrics? Metrics);

/// <summary>A block's metrics; everything past <see cref="TotalCount"/> is ours (null from Sixtyfour).</summary>
public sealed record BlockMetrics(
    long RowCount,
    string? DataframeType,
    long? ProcessedCount,
    long? TotalCount,
    long? RowsRejected,
    long? RowsFailed,
    double? CreditsUsed,
    long? CacheHits,
    long? ProviderCalls,
    IReadOnlyList<ProviderStepMetrics>? Providers);

/// <summary>The run statuses the API names.</summary>
public static class RunStatuses
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Paused = "paused";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static bool IsTerminal(string? status) => status is Completed or Failed or Cancelled or "canceled";

    public static bool IsCancelled(string? status) => status is Cancelled or "canceled";
}

/// <summary>The answer of <c>POST /workflows/estimate</c> (ours).</summary>
public sealed record WorkflowEstimate(
    long RowsIn,
    bool RowsInExact,
    int SampleRows,
    IReadOnlyList<BlockEstimate> Blocks,
    long ProviderCallsEstimate,
    double CreditsEstimate,
    IReadOnlyList<string>? Notes);

public sealed record BlockEstimate(
    string BlockId,
    string BlockName,
    long RowsInEstimate,
    long ProviderCallsEstimate,
    double CreditsEstimate,
    long CacheHitsEstimate,
    string? Basis,
    IReadOnlyList<ProviderStepEstimate>? Providers);

public sealed record ProviderStepEstimate(string Provider, long RowsEstimate, long CallsEstimate, long CacheHitsEstimate, double HitRate, string? HitRateBasis, double CreditsEstimate);

/// <summary>
/// A result file and its signed link (§3.1 <c>ResultFile</c>). <see cref="Results"/> holds the rows inline for a
/// small file; Enrichflow's <see cref="DownloadUrl"/> works without the key, Sixtyfour's is a presigned storage URL.
/// </summary>
public sealed record ResultFile(
    string Filename,
    string StorageBucket,
    long RowCount,
    int? BlockNumber,
    string? BlockId,
    DateTimeOffset? CreatedAt,
    string? Message,
    string? ContentType,
    long? FileSize,
    string? DownloadUrl,
    int DownloadExpiresInSeconds,
    IReadOnlyList<JsonObject>? Results);

/// <summary>The formats of <c>download-links</c>.</summary>
public static class ResultFormats
{
    public const string Csv = "csv";
    public const string Json = "json";
    public const string Ndjson = "ndjson";
    public const string Rejects = "rejects";
}

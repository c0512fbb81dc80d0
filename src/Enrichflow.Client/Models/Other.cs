using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Enrichflow.Client.Models;

/// <summary>The answer of <c>POST /storage/csv/upload</c>: the handle a <c>read_csv</c> run names.</summary>
public sealed record Upload(string HandleId, string? FileName, long? SizeBytes);

/// <summary>An organization's persistent table (docs/api.md §7).</summary>
public sealed record Notebook(string Id, string Name, long RowCount, IReadOnlyList<string>? KeyFields, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A schedule (docs/api.md §10).</summary>
public sealed record Schedule(
    string Id,
    string WorkflowId,
    string OrgId,
    string Name,
    string Description,
    string CronExpression,
    string Timezone,
    bool IsActive,
    JsonElement? WebhookPayload,
    JsonElement? SpecsOverride,
    DateTimeOffset? NextRun,
    DateTimeOffset? LastRun,
    string? LastJobId,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>The body of <c>POST /schedules</c>.</summary>
public sealed record CreateScheduleRequest(string WorkflowId, string Name, string CronExpression)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Timezone { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Description { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? IsActive { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonNode? WebhookPayload { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonObject? SpecsOverride { get; init; }
}

/// <summary>The body of <c>POST /schedules/{id}</c>: the fields given are changed.</summary>
public sealed record UpdateScheduleRequest
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? CronExpression { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Timezone { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Description { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? IsActive { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonNode? WebhookPayload { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonObject? SpecsOverride { get; init; }
}

/// <summary>A configured enrichment provider (ours, docs/api.md §8): never its URL or key.</summary>
public sealed record Provider(
    string Name,
    string Kind,
    IReadOnlyList<string> Operations,
    int RequestsPerMinute,
    int MaxConcurrency,
    double TimeoutSeconds,
    double CreditsPerCall,
    ProviderActivity? Activity,
    IReadOnlyList<ProviderNodeShare>? ClusterSlots);

public sealed record ProviderActivity(int InFlight, int Waiting, double CurrentRequestsPerMinute, DateTimeOffset? ThrottledUntil);

public sealed record ProviderNodeShare(string Node, int Held, int Wanted, DateTimeOffset ExpiresAt);

/// <summary>Credits by provider and day (<c>GET /usage</c>, ours), with the organization's limits.</summary>
public sealed record Usage(
    string From,
    string To,
    double CreditsUsed,
    long ProviderCalls,
    long CacheHits,
    IReadOnlyList<UsageByProvider> Providers,
    IReadOnlyList<UsageByDay> Days,
    UsageLimits? Limits);

public sealed record UsageByProvider(string Provider, long Calls, long Hits, long Misses, long Failures, long CacheHits, double CreditsUsed);

public sealed record UsageByDay(string Date, string Provider, long Calls, long Hits, long Misses, long Failures, long CacheHits, double CreditsUsed);

public sealed record UsageLimits(UsageLimit CreditsPerDay, UsageLimit CreditsPerMonth, UsageLimit MaxRunningRuns, UsageLimit MaxQueuedRuns, UsageLimit MaxStoredBytes);

/// <summary>A limit (null: unlimited), what is used, what remains, and the day or month counted.</summary>
public sealed record UsageLimit(double? Limit, double Used, double? Remaining, string? Period);

/// <summary>A webhook signing secret's metadata (docs/api.md §6): never the secret.</summary>
public sealed record SigningSecret(string Id, string OrgId, string Preview, string Status, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>A secret just made or rolled: the only answer carrying its plaintext.</summary>
public sealed record NewSigningSecret(string Plaintext, SigningSecret Meta);

/// <summary>The body of <c>POST /webhooks/signing-secret/roll</c>.</summary>
public sealed record RollRequest(double ExpireOverlapHours);

/// <summary>The body of <c>POST /workflows/interactive/start</c>: a source block.</summary>
public sealed record StartInteractiveRequest(string BlockName, JsonObject? Specs = null)
{
    public JsonObject? Specs { get; init; } = Specs ?? [];

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonNode? WebhookPayload { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? SaveJson { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CacheConfig? CacheConfig { get; init; }
}

public sealed record InteractiveStarted(string JobId, string Status);

public sealed record AddBlockRequest(string BlockName, string ParentBlockId, JsonObject? Specs = null)
{
    public JsonObject? Specs { get; init; } = Specs ?? [];
}

/// <summary>Whether the session took the block; when not, <see cref="Error"/> says why and the session goes on.</summary>
public sealed record AddBlockResult(bool Accepted, string? BlockId, string? Error);

public sealed record BlockOutput(string BlockId, string ResourceHandleId, long RowCount);

public sealed record InteractiveFinished(string Status);

public sealed record SaveInteractiveRequest(string BlockId, string WorkflowName, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? WorkflowDescription = null);

using System.ComponentModel;
using System.Text.Json;
using Enrichflow.Core.Definitions;

namespace Enrichflow.Server.OpenApi;

// The request bodies as the OpenAPI document describes them (docs/api.md §2, §3, §6, §10, §12). The handlers read
// their bodies themselves (to answer FastAPI's 422 with the exact location of a problem), so these records exist
// for the document alone: each names the fields its handler reads, snake_case on the wire as every body.

[Description("A workflow to create (docs/api.md §2).")]
public sealed record CreateWorkflowBody(
    string WorkflowName,
    WorkflowDefinition WorkflowDefinition,
    string? WorkflowDescription = null,
    [property: Description("A client-chosen id: 1–128 of [A-Za-z0-9_.-]; a version-7 UUID when absent.")] string? Id = null);

[Description("Any of the fields of a workflow; an unknown id creates it (upsert).")]
public sealed record UpdateWorkflowBody(string? WorkflowName = null, string? WorkflowDescription = null, WorkflowDefinition? WorkflowDefinition = null);

public sealed record ValidateBody(WorkflowDefinition WorkflowDefinition);

[Description("A run's options (docs/api.md §3), all optional; the body of /workflows/estimate too.")]
public sealed record RunOptionsBody(
    [property: Description("The rows of a workflow whose source is `webhook`: an object or a list of objects.")] JsonElement? WebhookPayload = null,
    [property: Description("Specs to merge into blocks, by block id or name: {\"block\": {\"spec\": value}}.")] JsonElement? SpecsOverride = null,
    CacheConfigBody? CacheConfig = null,
    [property: Description("The run pauses before a paid call would pass this many credits.")] double? MaxCredits = null);

public sealed record CacheConfigBody(bool? Enabled = null, int? TtlDays = null);

public sealed record ResumeBody([property: Description("A new credit budget for a run paused by its own.")] double? MaxCredits = null);

public sealed record RollSecretBody([property: Description("Hours the previous secret keeps signing: 0–72 (24).")] int? ExpireOverlapHours = null);

[Description("A schedule (docs/api.md §10); on update any of its fields but `workflow_id`.")]
public sealed record ScheduleBody(
    string WorkflowId,
    string Name,
    [property: Description("Five fields (minute hour day month weekday), in `timezone`.")] string CronExpression,
    [property: Description("An IANA time zone (UTC).")] string? Timezone = null,
    string? Description = null,
    bool? IsActive = null,
    JsonElement? WebhookPayload = null,
    JsonElement? SpecsOverride = null);

public sealed record InteractiveSessionBody(string BlockName, JsonElement Specs, JsonElement? WebhookPayload = null, bool? SaveJson = null, CacheConfigBody? CacheConfig = null);

public sealed record AddBlockBody(string BlockName, JsonElement Specs, string ParentBlockId);

public sealed record SaveInteractiveBody(string BlockId, string WorkflowName, string? WorkflowDescription = null);

[Description("multipart/form-data with one part named file.")]
public sealed record UploadForm(IFormFile File);

using System.Text.Json;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Storage;
using Enrichflow.Hosting.Schedules;
using Enrichflow.Server.Auth;
using Enrichflow.Server.Hosting;
using Enrichflow.Server.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

using Enrichflow.Server.OpenApi;

namespace Enrichflow.Server.Apis;

/// <summary>A schedule (docs/api.md §10 <c>Schedule</c>): <c>next_run</c> is the next due time, <c>last_run</c> the due time the last run was started for.</summary>
public sealed record ScheduleResponse(
    Guid Id,
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
    Guid? LastJobId,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static ScheduleResponse From(ScheduleRecord s) => new(
        s.Id, s.WorkflowId, s.OrgId, s.Name, s.Description, s.CronExpression, s.TimeZone, s.IsActive,
        Element(s.WebhookPayloadJson), Element(s.SpecsOverrideJson), s.NextRunAt, s.LastRunAt, s.LastRunId, s.LastError, s.CreatedAt, s.UpdatedAt);

    private static JsonElement? Element(string? json)
    {
        if (json is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}

/// <summary>Schedules (docs/api.md §10): create, list, get, partial update, delete. The runs are started by Hosting's <see cref="Scheduler"/>.</summary>
public static class SchedulesApi
{
    /// <summary>The fields of a create or update body, each null when absent.</summary>
    private sealed record Fields(string? WorkflowId, string? Name, string? Description, string? CronExpression, string? TimeZone, bool? IsActive,
        bool HasPayload, string? PayloadJson, bool HasSpecs, string? SpecsJson);

    public static RouteGroupBuilder MapSchedulesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/schedules").RequireApiKey().WithTags("Schedules");
        group.MapPost("", Create).DocumentsBody<ScheduleBody>("application/json").WithSummary("Create a schedule");
        group.MapGet("", List).WithSummary("List schedules");
        group.MapGet("/{scheduleId}", Get).WithSummary("Get a schedule");
        group.MapPost("/{scheduleId}", Update).DocumentsBody<ScheduleBody>("application/json").WithSummary("Update a schedule").WithDescription("A partial update: any of the create fields but workflow_id.");
        group.MapDelete("/{scheduleId}", Delete).WithSummary("Delete a schedule").WithDescription("The runs it started stay.");
        return group;
    }

    public static async Task<Results<Created<ScheduleResponse>, BadRequest<ErrorBody>, NotFound<ErrorBody>, UnprocessableEntity<ValidationBody>, JsonBodyError>> Create(
        HttpContext http, IScheduleStore schedules, IWorkflowStore workflows, ScheduledRuns runs, Scheduler scheduler, SchedulerClock clock,
        IOptions<ServerOptions> options, CancellationToken cancellationToken)
    {
        var (document, error) = await JsonBody.ReadObjectAsync(http.Request, options.Value.Limits.MaxRequestBytes, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        using var _ = document;
        var errors = new List<DefinitionError>();
        var fields = ReadFields(document!.RootElement, errors);
        foreach (var (value, name) in new[] { (fields.WorkflowId, "workflow_id"), (fields.Name, "name"), (fields.CronExpression, "cron_expression") })
        {
            if (value is null && !errors.Any(e => e.Loc.Count > 1 && Equals(e.Loc[1], name)))
            {
                errors.Add(new DefinitionError(["body", name], "Field required", "missing"));
            }
        }

        if (errors.Count > 0)
        {
            return ApiErrors.Unprocessable(errors);
        }

        var zone = fields.TimeZone ?? "UTC";
        var active = fields.IsActive ?? true;
        if (Check(fields.CronExpression!, zone, fields.PayloadJson, out var times) is { } badInput)
        {
            return ApiErrors.BadRequest(badInput);
        }

        var orgId = http.Caller().OrgId;
        if (await workflows.GetAsync(orgId, fields.WorkflowId!, cancellationToken) is not { } workflow)
        {
            return ApiErrors.WorkflowNotFound();
        }

        var now = clock.Time.GetUtcNow();
        var schedule = new ScheduleRecord(Guid.CreateVersion7(), orgId, workflow.Id, fields.Name!, fields.Description ?? "", fields.CronExpression!.Trim(), zone.Trim(),
            active, fields.PayloadJson, fields.SpecsJson, active ? times!.NextAfter(now) : null, null, null, null, now, now);
        if (await runs.CheckAsync(schedule, workflow, cancellationToken) is { } problem)
        {
            return problem.NotFound ? ApiErrors.NotFound(problem.Message) : ApiErrors.BadRequest(problem.Message);
        }

        if (!await schedules.CreateScheduleAsync(schedule, cancellationToken))
        {
            return ApiErrors.WorkflowNotFound();
        }

        scheduler.Wake();
        return TypedResults.Created($"/schedules/{schedule.Id}", ScheduleResponse.From(schedule));
    }

    public static async Task<Ok<List<ScheduleResponse>>> List(
        [FromQuery(Name = "workflow_id")] string? workflowId, HttpContext http, IScheduleStore schedules, CancellationToken cancellationToken) =>
        TypedResults.Ok((await schedules.ListSchedulesAsync(http.Caller().OrgId, string.IsNullOrEmpty(workflowId) ? null : workflowId, cancellationToken))
            .Select(ScheduleResponse.From).ToList());

    public static async Task<Results<Ok<ScheduleResponse>, NotFound<ErrorBody>>> Get(string scheduleId, HttpContext http, IScheduleStore schedules, CancellationToken cancellationToken) =>
        await FindAsync(schedules, http.Caller(), scheduleId, cancellationToken) is { } schedule
            ? TypedResults.Ok(ScheduleResponse.From(schedule))
            : ScheduleNotFound();

    /// <summary>
    /// A partial update: absent fields stay. A new cron expression or time zone, or turning the schedule on, sets the
    /// next due time from now; turning it off clears it. <c>workflow_id</c> cannot change.
    /// </summary>
    public static async Task<Results<Ok<ScheduleResponse>, BadRequest<ErrorBody>, NotFound<ErrorBody>, UnprocessableEntity<ValidationBody>, JsonBodyError>> Update(
        string scheduleId, HttpContext http, IScheduleStore schedules, IWorkflowStore workflows, ScheduledRuns runs, Scheduler scheduler, SchedulerClock clock,
        IOptions<ServerOptions> options, CancellationToken cancellationToken)
    {
        if (await FindAsync(schedules, http.Caller(), scheduleId, cancellationToken) is not { } current)
        {
            return ScheduleNotFound();
        }

        var (document, error) = await JsonBody.ReadObjectAsync(http.Request, options.Value.Limits.MaxRequestBytes, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        using var _ = document;
        var errors = new List<DefinitionError>();
        var fields = ReadFields(document!.RootElement, errors);
        if (errors.Count > 0)
        {
            return ApiErrors.Unprocessable(errors);
        }

        if (fields.WorkflowId is { } workflowId && workflowId != current.WorkflowId)
        {
            return ApiErrors.BadRequest($"workflow_id of schedule {current.Id} is '{current.WorkflowId}' and cannot change (got '{workflowId}'); create a new schedule for another workflow.");
        }

        var cron = fields.CronExpression?.Trim() ?? current.CronExpression;
        var zone = fields.TimeZone?.Trim() ?? current.TimeZone;
        var active = fields.IsActive ?? current.IsActive;
        var payload = fields.HasPayload ? fields.PayloadJson : current.WebhookPayloadJson;
        if (Check(cron, zone, payload, out var times) is { } badInput)
        {
            return ApiErrors.BadRequest(badInput);
        }

        if (await workflows.GetAsync(current.OrgId, current.WorkflowId, cancellationToken) is not { } workflow)
        {
            return ApiErrors.WorkflowNotFound();
        }

        var now = clock.Time.GetUtcNow();
        var retimed = cron != current.CronExpression || zone != current.TimeZone || !current.IsActive || current.NextRunAt is null;
        var schedule = current with
        {
            Name = fields.Name ?? current.Name,
            Description = fields.Description ?? current.Description,
            CronExpression = cron,
            TimeZone = zone,
            IsActive = active,
            WebhookPayloadJson = payload,
            SpecsOverrideJson = fields.HasSpecs ? fields.SpecsJson : current.SpecsOverrideJson,
            NextRunAt = !active ? null : retimed ? times!.NextAfter(now) : current.NextRunAt,
            UpdatedAt = now,
        };
        if (await runs.CheckAsync(schedule, workflow, cancellationToken) is { } problem)
        {
            return problem.NotFound ? ApiErrors.NotFound(problem.Message) : ApiErrors.BadRequest(problem.Message);
        }

        if (await schedules.UpdateScheduleAsync(schedule, cancellationToken) is not { } updated)
        {
            return ScheduleNotFound();
        }

        scheduler.Wake();
        return TypedResults.Ok(ScheduleResponse.From(updated));
    }

    public static async Task<Results<NoContent, NotFound<ErrorBody>>> Delete(string scheduleId, HttpContext http, IScheduleStore schedules, CancellationToken cancellationToken) =>
        Guid.TryParse(scheduleId, out var id) && await schedules.DeleteScheduleAsync(http.Caller().OrgId, id, cancellationToken)
            ? TypedResults.NoContent()
            : ScheduleNotFound();

    private static NotFound<ErrorBody> ScheduleNotFound() => ApiErrors.NotFound("Schedule not found");

    private static async Task<ScheduleRecord?> FindAsync(IScheduleStore schedules, Caller caller, string scheduleId, CancellationToken cancellationToken) =>
        Guid.TryParse(scheduleId, out var id) ? await schedules.GetScheduleAsync(caller.OrgId, id, cancellationToken) : null;

    /// <summary>The sentence for a cron expression, time zone or payload that is wrong (each names its field), or null with the schedule's times.</summary>
    private static string? Check(string cron, string zone, string? payloadJson, out ScheduleTimes? times)
    {
        times = ScheduleTimes.TryCreate(cron, zone, out var timeError);
        if (times is null)
        {
            return timeError;
        }

        if (payloadJson is not null)
        {
            using var payload = JsonDocument.Parse(payloadJson);
            if (payload.RootElement.ValueKind == JsonValueKind.Array)
            {
                var index = 0;
                foreach (var element in payload.RootElement.EnumerateArray())
                {
                    if (element.ValueKind != JsonValueKind.Object)
                    {
                        return $"webhook_payload[{index}] is a {element.ValueKind.ToString().ToLowerInvariant()}, not an object; every element must be a JSON object (one row).";
                    }

                    index++;
                }
            }
        }

        return null;
    }

    private static Fields ReadFields(JsonElement body, List<DefinitionError> errors)
    {
        bool? active = null;
        if (body.TryGetProperty("is_active", out var flag) && flag.ValueKind != JsonValueKind.Null)
        {
            if (flag.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                active = flag.GetBoolean();
            }
            else
            {
                errors.Add(new DefinitionError(["body", "is_active"], "Input should be a valid boolean", "bool_type"));
            }
        }

        var hasPayload = body.TryGetProperty("webhook_payload", out var payload);
        string? payloadJson = null;
        if (hasPayload && payload.ValueKind is JsonValueKind.Array or JsonValueKind.Object)
        {
            payloadJson = payload.GetRawText();
        }
        else if (hasPayload && payload.ValueKind != JsonValueKind.Null)
        {
            errors.Add(new DefinitionError(["body", "webhook_payload"], "Input should be a valid list or dictionary", "list_type"));
        }

        var hasSpecs = body.TryGetProperty("specs_override", out var specs);
        string? specsJson = null;
        if (hasSpecs && specs.ValueKind == JsonValueKind.Object)
        {
            specsJson = specs.GetRawText();
        }
        else if (hasSpecs && specs.ValueKind != JsonValueKind.Null)
        {
            errors.Add(new DefinitionError(["body", "specs_override"], "Input should be a valid dictionary", "dict_type"));
        }

        return new Fields(
            JsonBody.OptionalString(body, "workflow_id", errors),
            JsonBody.OptionalString(body, "name", errors),
            JsonBody.OptionalString(body, "description", errors),
            JsonBody.OptionalString(body, "cron_expression", errors),
            JsonBody.OptionalString(body, "timezone", errors),
            active,
            hasPayload,
            payloadJson,
            hasSpecs,
            specsJson);
    }
}

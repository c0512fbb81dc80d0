using System.Text;
using System.Text.Json;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Storage;
using Enrichflow.Engine;
using Enrichflow.Engine.Execution;
using Enrichflow.Hosting.Orgs;
using Enrichflow.Hosting.Uploads;
using Microsoft.Extensions.Options;

namespace Enrichflow.Hosting.Schedules;

/// <summary>Why a schedule cannot start a run of its workflow: a sentence, and whether it is a missing thing (404) rather than a wrong one (400).</summary>
public sealed record ScheduleProblem(string Message, bool NotFound = false);

/// <summary>
/// Runs started by schedules (docs/api.md §10): checks that a workflow takes a schedule's input (on create and
/// update, and again at each due time, since the workflow may have changed), and starts one run for a due time,
/// claiming the time and recording the run in one store transaction; a due time the organization's limits refuse
/// starts no run and keeps the reason.
/// </summary>
public sealed class ScheduledRuns(
    IScheduleStore schedules,
    IWorkflowStore workflows,
    IAccountStore accounts,
    INotebookStore notebooks,
    IBlobStore blobs,
    RunPlans plans,
    RunLauncher launcher,
    OrgAdmission admission,
    IOptions<EngineOptions> engine)
{
    private sealed record Prepared(WorkflowPlan Plan, RunOptions Options, SourceBlock Source);

    /// <summary>What is wrong with running <paramref name="workflow"/> on the schedule's payload and specs override; null when a run can start.</summary>
    public async Task<ScheduleProblem?> CheckAsync(ScheduleRecord schedule, WorkflowRecord workflow, CancellationToken cancellationToken) =>
        (await PrepareAsync(schedule, workflow, runId: null, cancellationToken)).Problem;

    /// <summary>
    /// Starts the run of the schedule's due time (its stored <see cref="ScheduleRecord.NextRunAt"/>) at
    /// <paramref name="now"/>, and moves the due time to the first one after now: a server that was down past several
    /// due times starts one run for them. When the workflow no longer takes the schedule's input, the due time is
    /// claimed without a run and the reason kept in <c>last_error</c>. Returns the run's id, or null when another
    /// claim came first or no run could start.
    /// </summary>
    public async Task<Guid?> StartDueAsync(ScheduleRecord schedule, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        if (schedule.NextRunAt is not { } due)
        {
            return null;
        }

        var times = ScheduleTimes.TryCreate(schedule.CronExpression, schedule.TimeZone, out var timeError);
        var next = times?.NextAfter(now);
        var workflow = await workflows.GetAsync(schedule.OrgId, schedule.WorkflowId, cancellationToken);
        if (times is null || workflow is null)
        {
            await schedules.ClaimDueTimeAsync(new ScheduleClaim(schedule.Id, due, next, null, timeError ?? "Workflow not found"), null, cancellationToken);
            return null;
        }

        var runId = Guid.CreateVersion7();
        var (prepared, problem) = await PrepareAsync(schedule, workflow, runId, cancellationToken);
        if (prepared is null)
        {
            await schedules.ClaimDueTimeAsync(new ScheduleClaim(schedule.Id, due, next, null, problem!.Message), null, cancellationToken);
            return null;
        }

        var payloadKey = prepared.Source.InputKind == SourceInputKind.WebhookPayload ? BlobKeys.Payload(runId) : null;
        try
        {
            if (payloadKey is not null)
            {
                await WritePayloadAsync(payloadKey, schedule.WebhookPayloadJson!, cancellationToken);
                var input = new SourceInput { OpenAsync = async ct => await blobs.OpenReadAsync(payloadKey, ct) };
                if (await prepared.Source.CheckPayloadAsync(input, prepared.Plan.Source.Id, cancellationToken) is { } payloadProblem)
                {
                    await schedules.ClaimDueTimeAsync(new ScheduleClaim(schedule.Id, due, next, null, payloadProblem), null, cancellationToken);
                    return null;
                }
            }

            // The organization's limits (docs/api.md §1): a due time they refuse is claimed without a run, the reason in last_error.
            using var ticket = await admission.EnterStartAsync(schedule.OrgId, cancellationToken);
            if (ticket.Refusal is { } refusal)
            {
                await schedules.ClaimDueTimeAsync(new ScheduleClaim(schedule.Id, due, next, null, refusal.Detail), null, cancellationToken);
                return null;
            }

            var run = launcher.NewRun(runId, workflow, prepared.Plan, prepared.Options, schedule.Id);
            if (!await schedules.ClaimDueTimeAsync(new ScheduleClaim(schedule.Id, due, next, runId, null), run, cancellationToken))
            {
                return null;
            }

            payloadKey = null;
            launcher.Notify();
            return runId;
        }
        finally
        {
            // A payload whose run was not recorded goes; a crash before this line leaves it under runs/<id>/, which no run names.
            if (payloadKey is not null)
            {
                await blobs.DeleteAsync(payloadKey, CancellationToken.None);
            }
        }
    }

    /// <summary>The run's input as a run request body would hold it, so the webhook source reads it as it reads a request's.</summary>
    private async Task WritePayloadAsync(string key, string payloadJson, CancellationToken cancellationToken)
    {
        await using var writer = await blobs.CreateAsync(key, cancellationToken);
        await writer.Stream.WriteAsync(Encoding.UTF8.GetBytes($$"""{"webhook_payload":{{payloadJson}}}"""), cancellationToken);
        await writer.CommitAsync(cancellationToken);
    }

    /// <param name="runId">The run to prepare; null to check only (nothing is read but the upload's record).</param>
    private async Task<(Prepared? Run, ScheduleProblem? Problem)> PrepareAsync(ScheduleRecord schedule, WorkflowRecord workflow, Guid? runId, CancellationToken cancellationToken)
    {
        using var definition = JsonDocument.Parse(workflow.DefinitionJson);
        using var specs = schedule.SpecsOverrideJson is null ? null : JsonDocument.Parse(schedule.SpecsOverrideJson);
        JsonElement? specsOverride = specs?.RootElement.Clone();
        var plan = plans.Compile(definition.RootElement, specsOverride, out var errors);
        if (plan is null)
        {
            return (null, new ScheduleProblem($"Workflow '{workflow.Id}' with this schedule's specs_override does not validate: {string.Join("; ", errors.Select(e => e.Msg))}"));
        }

        var source = (SourceBlock)plan.Source.Compiled;
        var payloadRows = PayloadRows(schedule.WebhookPayloadJson);
        string inputKey = "";
        string? fileName = null;
        long? estimatedRows = null;
        switch (source.InputKind)
        {
            case SourceInputKind.WebhookPayload:
                if (payloadRows is null or 0)
                {
                    return (null, new ScheduleProblem($"Workflow '{workflow.Id}' starts with {plan.Source.Type.Name} block '{plan.Source.Id}'; the schedule needs a webhook_payload (a list of objects, or one object)."));
                }

                if (specsOverride is { } overrides && overrides.TryGetProperty("resource_handle_id", out _))
                {
                    return (null, new ScheduleProblem($"specs_override.resource_handle_id selects an upload, but workflow '{workflow.Id}' starts with {plan.Source.Type.Name} block '{plan.Source.Id}', which reads webhook_payload."));
                }

                inputKey = runId is { } id ? BlobKeys.Payload(id) : "";
                estimatedRows = payloadRows;
                break;
            case SourceInputKind.Notebook when payloadRows is > 0:
            case SourceInputKind.Upload when payloadRows is > 0:
                return (null, new ScheduleProblem($"Workflow '{workflow.Id}' starts with {plan.Source.Type.Name} block '{plan.Source.Id}', which does not take a webhook_payload."));
            case SourceInputKind.Upload:
                if (source.UploadHandle is not { } handle)
                {
                    return (null, new ScheduleProblem($"Block '{plan.Source.Id}' ({plan.Source.Type.Name}) of workflow '{workflow.Id}' needs a resource_handle_id: give an upload's handle_id in the schedule's specs_override."));
                }

                var upload = Guid.TryParse(handle, out var handleId) ? await accounts.GetUploadAsync(schedule.OrgId, handleId, cancellationToken) : null;
                if (upload is null)
                {
                    return (null, new ScheduleProblem($"Upload '{handle}' not found", NotFound: true));
                }

                inputKey = upload.BlobKey;
                fileName = upload.FileName;
                estimatedRows = runId is null ? null : await UploadFiles.EstimateRowsAsync(blobs, upload, cancellationToken);
                break;
        }

        foreach (var block in plan.Blocks)
        {
            foreach (var reference in block.Compiled.ReferencedNotebooks)
            {
                if (reference.NotebookId is { } notebookId && await notebooks.GetNotebookAsync(schedule.OrgId, notebookId, cancellationToken) is null)
                {
                    return (null, new ScheduleProblem($"Notebook '{notebookId}' (block '{block.Id}') not found", NotFound: true));
                }
            }
        }

        return (new Prepared(plan, new RunOptions
        {
            InputBlobKey = inputKey,
            InputFileName = fileName,
            SpecsOverride = specsOverride,
            ChunkSize = engine.Value.ChunkSize,
            EstimatedRows = estimatedRows,
        }, source), null);
    }

    /// <summary>The rows a stored <c>webhook_payload</c> holds (a list's length, 1 for an object); null when there is none.</summary>
    private static long? PayloadRows(string? payloadJson)
    {
        if (payloadJson is null)
        {
            return null;
        }

        using var payload = JsonDocument.Parse(payloadJson);
        return payload.RootElement.ValueKind switch
        {
            JsonValueKind.Array => payload.RootElement.GetArrayLength(),
            JsonValueKind.Object => 1,
            _ => null,
        };
    }
}

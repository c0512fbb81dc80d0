using System.Text.Json;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Storage;
using Enrichflow.Engine;
using Enrichflow.Engine.Execution;
using Enrichflow.Hosting.Uploads;
using Enrichflow.Server.Auth;
using Enrichflow.Server.Hosting;
using Enrichflow.Server.Http;

namespace Enrichflow.Server.Apis;

/// <summary>A run request that passed every check: the plan with its overrides, and the options to queue it (or estimate it) with.</summary>
internal sealed record PreparedRun(WorkflowPlan Plan, RunOptions Options);

/// <summary>
/// A run request (<c>POST /workflows/run</c> or <c>/estimate</c>) being checked, in the order docs/api.md §3 answers
/// problems: <see cref="OpenAsync"/> finds the workflow, reads the result formats and the body (a payload streams
/// into the run's payload blob); <see cref="PrepareAsync"/> checks the body's fields, the overridden definition,
/// the notebooks and the input. Disposing it deletes the stored payload unless the run was queued with it.
/// </summary>
internal sealed class RunRequest : IAsyncDisposable
{
    private readonly IBlobStore _blobs;
    private readonly JsonDocument _definition;
    private readonly WorkflowPlan _basePlan;
    private RunBody _body = new("", null);
    private bool _ownsPayload;

    private RunRequest(IBlobStore blobs, string orgId, WorkflowRecord workflow, IReadOnlyList<ResultFormat> formats, JsonDocument definition, WorkflowPlan basePlan)
    {
        _blobs = blobs;
        OrgId = orgId;
        Workflow = workflow;
        Formats = formats;
        _definition = definition;
        _basePlan = basePlan;
    }

    public Guid RunId { get; } = Guid.CreateVersion7();

    public string OrgId { get; }

    public WorkflowRecord Workflow { get; }

    public IReadOnlyList<ResultFormat> Formats { get; }

    /// <summary>The SHA-256 of the body as read (hex); empty without a body.</summary>
    public string BodyHash => _body.Hash;

    public static async Task<(RunRequest? Request, RunRequestError? Error)> OpenAsync(
        string? workflowId,
        string[]? resultFormats,
        string? saveJson,
        HttpContext http,
        IWorkflowStore workflows,
        IBlobStore blobs,
        RunPlans plans,
        LimitsOptions limits,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(workflowId))
        {
            return (null, ApiErrors.Unprocessable(["query", "workflow_id"], "Field required", "missing"));
        }

        var orgId = http.Caller().OrgId;
        var workflow = await workflows.GetAsync(orgId, workflowId, cancellationToken);
        if (workflow is null)
        {
            return (null, ApiErrors.WorkflowNotFound());
        }

        var formats = ParseFormats(resultFormats, saveJson, out var formatError);
        if (formatError is not null)
        {
            return (null, ApiErrors.BadRequest(formatError));
        }

        var definition = JsonDocument.Parse(workflow.DefinitionJson);
        var basePlan = plans.Compile(definition.RootElement, null, out var baseErrors);
        if (basePlan is null)
        {
            definition.Dispose();
            return (null, ApiErrors.InvalidDefinition(baseErrors));
        }

        var request = new RunRequest(blobs, orgId, workflow, formats, definition, basePlan);
        try
        {
            if (basePlan.Source.Compiled is SourceBlock { InputKind: SourceInputKind.WebhookPayload } source)
            {
                request._ownsPayload = true;
                request._body = await RunRequestBody.ReadPayloadAsync(http, blobs, source, request.RunId, limits.MaxPayloadBytes, cancellationToken);
            }
            else
            {
                request._body = await RunRequestBody.ReadSmallAsync(http, limits.MaxRequestBytes, cancellationToken);
            }
        }
        catch
        {
            await request.DisposeAsync();
            throw;
        }

        if (request._body.Error is { } error)
        {
            await request.DisposeAsync();
            return (null, error);
        }

        return (request, null);
    }

    public async Task<(PreparedRun? Run, RunRequestError? Error)> PrepareAsync(
        IAccountStore accounts, INotebookStore notebooks, RunPlans plans, int chunkSize, CancellationToken cancellationToken)
    {
        var fields = RunRequestBody.ParseFields(_body, _basePlan.Source, out var fieldError);
        if (fieldError is not null)
        {
            return (null, fieldError);
        }

        var plan = plans.Compile(_definition.RootElement, fields.SpecsOverride, out var errors);
        if (plan is null)
        {
            return (null, ApiErrors.InvalidDefinition(errors));
        }

        if (await MissingNotebookAsync(plan, notebooks, cancellationToken) is { } missing)
        {
            return (null, ApiErrors.NotFound(missing));
        }

        string inputKey;
        string? fileName = null;
        long? estimatedRows = _body.ElementCount;
        var source = (SourceBlock)plan.Source.Compiled;
        switch (source.InputKind)
        {
            case SourceInputKind.WebhookPayload:
                var payload = new SourceInput { OpenAsync = async ct => await _blobs.OpenReadAsync(BlobKeys.Payload(RunId), ct) };
                if (await source.CheckPayloadAsync(payload, plan.Source.Id, cancellationToken) is { } problem)
                {
                    return (null, ApiErrors.BadRequest(problem));
                }

                inputKey = BlobKeys.Payload(RunId);
                break;
            case SourceInputKind.Notebook:
                inputKey = "";
                estimatedRows = null;
                break;
            default:
                if (source.UploadHandle is not { } handle)
                {
                    return (null, ApiErrors.BadRequest($"Block '{plan.Source.Id}' ({plan.Source.Type.Name}) needs a resource_handle_id: upload a file to /storage/csv/upload and pass its handle_id in specs_override."));
                }

                var upload = Guid.TryParse(handle, out var handleId) ? await accounts.GetUploadAsync(OrgId, handleId, cancellationToken) : null;
                if (upload is null)
                {
                    return (null, ApiErrors.NotFound($"Upload '{handle}' not found"));
                }

                inputKey = upload.BlobKey;
                fileName = upload.FileName;
                estimatedRows = await UploadFiles.EstimateRowsAsync(_blobs, upload, cancellationToken);
                break;
        }

        return (new PreparedRun(plan, new RunOptions
        {
            Formats = Formats,
            InputBlobKey = inputKey,
            InputFileName = fileName,
            SpecsOverride = fields.SpecsOverride,
            CacheConfig = fields.CacheConfig,
            MaxCredits = fields.MaxCredits,
            ChunkSize = chunkSize,
            EstimatedRows = estimatedRows,
        }), null);
    }

    /// <summary>The run was queued: its payload blob is its input now, and stays.</summary>
    public void Queued() => _ownsPayload = false;

    public async ValueTask DisposeAsync()
    {
        if (_ownsPayload)
        {
            _ownsPayload = false;
            await _blobs.DeleteAsync(BlobKeys.Payload(RunId), CancellationToken.None);
        }

        _body.Document?.Dispose();
        _definition.Dispose();
    }

    /// <summary>A sentence naming the first notebook a block refers to that this organization does not have (a foreign one is "not found").</summary>
    private async Task<string?> MissingNotebookAsync(WorkflowPlan plan, INotebookStore notebooks, CancellationToken cancellationToken)
    {
        foreach (var block in plan.Blocks)
        {
            foreach (var reference in block.Compiled.ReferencedNotebooks)
            {
                if (reference.NotebookId is { } notebookId && await notebooks.GetNotebookAsync(OrgId, notebookId, cancellationToken) is null)
                {
                    return $"Notebook '{notebookId}' (block '{block.Id}') not found";
                }
            }
        }

        return null;
    }

    private static List<ResultFormat> ParseFormats(string[]? values, string? saveJson, out string? error)
    {
        error = null;
        var formats = new List<ResultFormat> { ResultFormat.Csv };
        foreach (var value in (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (ResultFormats.Parse(value) is not { } format)
            {
                error = $"Query parameter 'result_formats' accepts csv, json and ndjson (got '{value}').";
                return formats;
            }

            if (!formats.Contains(format))
            {
                formats.Add(format);
            }
        }

        if (QueryFlags.IsTrue(saveJson) && !formats.Contains(ResultFormat.Json))
        {
            formats.Add(ResultFormat.Json);
        }

        return formats;
    }
}

using System.Text.Json;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Storage;
using Enrichflow.Engine;
using Enrichflow.Engine.Execution;
using Enrichflow.Engine.Interactive;
using Enrichflow.Engine.Status;
using Enrichflow.Hosting.Uploads;
using Enrichflow.Server.Auth;
using Enrichflow.Server.Hosting;
using Enrichflow.Server.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Enrichflow.Server.Apis;

/// <summary>
/// Interactive workflows (docs/api.md §12): a session is a run whose definition grows a block at a time
/// (<see cref="InteractiveRuns"/>); these handlers read and check requests in Sixtyfour's shapes.
/// </summary>
public static class InteractiveApi
{
    public static RouteGroupBuilder MapInteractiveApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/workflows/interactive").RequireApiKey().WithTags("Interactive Workflow");
        group.MapPost("/start", StartSession);
        group.MapPost("/{jobId}/add-block", AddBlock);
        group.MapGet("/{jobId}/state", GetState);
        group.MapGet("/{jobId}/output", GetOutput);
        group.MapPost("/{jobId}/finish", FinishSession);
        group.MapPost("/{jobId}/save", SaveSession);
        return group;
    }

    public static async Task<Results<Ok<InteractiveStarted>, RunRequestError>> StartSession(
        HttpContext http,
        IBlobStore blobs,
        IAccountStore accounts,
        INotebookStore notebooks,
        RunPlans plans,
        InteractiveRuns sessions,
        IOptions<ServerOptions> serverOptions,
        IOptions<EngineOptions> engineOptions,
        CancellationToken cancellationToken)
    {
        var runId = Guid.CreateVersion7();
        var queued = false;
        try
        {
            var (started, error) = await StartAsync(runId, http, blobs, accounts, notebooks, plans, sessions, serverOptions.Value.Limits, engineOptions.Value.ChunkSize, cancellationToken);
            queued = started is not null;
            return started is not null ? TypedResults.Ok(started) : error!;
        }
        finally
        {
            if (!queued)
            {
                await blobs.DeleteAsync(BlobKeys.Payload(runId), CancellationToken.None);
            }
        }
    }

    public static async Task<Results<Ok<AddBlockResponse>, NotFound<ErrorBody>, Conflict<ErrorBody>, UnprocessableEntity<ValidationBody>, JsonBodyError>> AddBlock(
        string jobId, HttpContext http, IRunStore runs, InteractiveRuns sessions, IOptions<ServerOptions> options, CancellationToken cancellationToken)
    {
        if (await FindSessionAsync(runs, http, jobId, cancellationToken) is not { } run)
        {
            return SessionNotFound();
        }

        var (document, bodyError) = await JsonBody.ReadObjectAsync(http.Request, options.Value.Limits.MaxRequestBytes, cancellationToken);
        if (bodyError is not null)
        {
            return bodyError;
        }

        using var _ = document;
        var body = document!.RootElement;
        var errors = new List<DefinitionError>();
        var blockName = RequiredString(body, "block_name", errors);
        var specs = RequiredObject(body, "specs", errors);
        var parent = RequiredString(body, "parent_block_id", errors);
        if (errors.Count > 0)
        {
            return ApiErrors.Unprocessable(errors);
        }

        var outcome = await sessions.AddBlockAsync(run.Id, blockName!, specs!.Value, parent!, cancellationToken);
        return outcome.ClosedReason is { } closed
            ? ApiErrors.Conflict(closed)
            : TypedResults.Ok(new AddBlockResponse(outcome.IsAccepted, outcome.BlockId, outcome.Error));
    }

    public static async Task<Results<Ok<RunLiveStatus>, NotFound<ErrorBody>>> GetState(
        string jobId, HttpContext http, IRunStore runs, InteractiveRuns sessions, LiveStatusReader reader, CancellationToken cancellationToken)
    {
        if (await FindSessionAsync(runs, http, jobId, cancellationToken) is not { } run)
        {
            return SessionNotFound();
        }

        sessions.Touch(run.Id);
        return TypedResults.Ok(await reader.ReadAsync(run, cancellationToken));
    }

    public static async Task<Results<Ok<BlockOutputResponse>, NotFound<ErrorBody>, Conflict<ErrorBody>, UnprocessableEntity<ValidationBody>>> GetOutput(
        string jobId, [FromQuery(Name = "block_id")] string? blockId, HttpContext http, IRunStore runs, InteractiveRuns sessions, CancellationToken cancellationToken)
    {
        if (await FindSessionAsync(runs, http, jobId, cancellationToken) is not { } run)
        {
            return SessionNotFound();
        }

        if (string.IsNullOrEmpty(blockId))
        {
            return ApiErrors.Unprocessable(["query", "block_id"], "Field required", "missing");
        }

        var outcome = await sessions.OutputAsync(run, blockId, cancellationToken);
        if (outcome.Output is { } output)
        {
            return TypedResults.Ok(new BlockOutputResponse(output.BlockId, output.ResourceHandleId.ToString(), output.RowCount));
        }

        return outcome.Block is null ? ApiErrors.NotFound(outcome.Problem!) : ApiErrors.Conflict(outcome.Problem!);
    }

    public static async Task<Results<Ok<FinishInteractiveResponse>, NotFound<ErrorBody>>> FinishSession(
        string jobId, HttpContext http, IRunStore runs, InteractiveRuns sessions, CancellationToken cancellationToken)
    {
        if (await FindSessionAsync(runs, http, jobId, cancellationToken) is not { } run)
        {
            return SessionNotFound();
        }

        var status = await sessions.FinishAsync(run.Id, cancellationToken);
        return TypedResults.Ok(new FinishInteractiveResponse(status.ToWire()));
    }

    public static async Task<Results<Ok<WorkflowResponse>, NotFound<ErrorBody>, BadRequest<DefinitionErrorBody>, UnprocessableEntity<ValidationBody>, JsonBodyError>> SaveSession(
        string jobId, HttpContext http, IRunStore runs, IWorkflowStore workflows, InteractiveRuns sessions, RunPlans plans,
        IOptions<ServerOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await FindSessionAsync(runs, http, jobId, cancellationToken) is not { } run)
        {
            return SessionNotFound();
        }

        var (document, bodyError) = await JsonBody.ReadObjectAsync(http.Request, options.Value.Limits.MaxRequestBytes, cancellationToken);
        if (bodyError is not null)
        {
            return bodyError;
        }

        using var _ = document;
        var body = document!.RootElement;
        var errors = new List<DefinitionError>();
        var blockId = RequiredString(body, "block_id", errors);
        var name = RequiredString(body, "workflow_name", errors);
        var description = JsonBody.OptionalString(body, "workflow_description", errors) ?? "";
        if (errors.Count > 0)
        {
            return ApiErrors.Unprocessable(errors);
        }

        sessions.Touch(run.Id);
        if (InteractiveRuns.ChainDefinition(run, blockId!) is not { } definitionJson)
        {
            return ApiErrors.NotFound($"Block '{blockId}' not found in interactive session {run.Id}");
        }

        using var definition = JsonDocument.Parse(definitionJson);
        if (plans.Compile(definition.RootElement, null, out var definitionErrors) is null)
        {
            return ApiErrors.InvalidDefinition(definitionErrors);
        }

        var now = time.GetUtcNow();
        var record = new WorkflowRecord(Guid.CreateVersion7().ToString(), run.OrgId, name!, description, WorkflowStatus.Active, WorkflowStep.Draft, now, now, null, 1, definitionJson);
        await workflows.TryCreateAsync(record, cancellationToken);
        return TypedResults.Ok(WorkflowResponse.From(record));
    }

    /// <summary>Reads and checks the start request, stores its payload (streamed into the run's payload blob), and queues the session's run.</summary>
    private static async Task<(InteractiveStarted? Started, RunRequestError? Error)> StartAsync(
        Guid runId, HttpContext http, IBlobStore blobs, IAccountStore accounts, INotebookStore notebooks, RunPlans plans,
        InteractiveRuns sessions, LimitsOptions limits, int chunkSize, CancellationToken cancellationToken)
    {
        if (await StoreBodyAsync(http, blobs, BlobKeys.Payload(runId), limits.MaxPayloadBytes, cancellationToken) is { } tooLarge)
        {
            return (null, tooLarge);
        }

        InteractiveStartBody body;
        try
        {
            await using var stream = await blobs.OpenReadAsync(BlobKeys.Payload(runId), cancellationToken);
            body = await InteractiveStartBody.ReadAsync(stream, cancellationToken);
        }
        catch (JsonException e)
        {
            return (null, JsonBody.MalformedJson(e));
        }
        catch (FormatException e)
        {
            return (null, ApiErrors.Unprocessable(["body"], e.Message, "dict_type"));
        }

        var errors = new List<DefinitionError>();
        var fields = body.Fields.ToDictionary(f => f.Key, f => JsonSerializer.Deserialize<JsonElement>(f.Value), StringComparer.Ordinal);
        var blockName = fields.TryGetValue("block_name", out var nameElement) ? nameElement : (JsonElement?)null;
        var specs = fields.TryGetValue("specs", out var specsElement) ? specsElement : (JsonElement?)null;
        if (blockName is not { ValueKind: JsonValueKind.String })
        {
            errors.Add(blockName is null
                ? new DefinitionError(["body", "block_name"], "Field required", "missing")
                : new DefinitionError(["body", "block_name"], "Input should be a valid string", "string_type"));
        }

        if (specs is not { ValueKind: JsonValueKind.Object })
        {
            errors.Add(specs is null
                ? new DefinitionError(["body", "specs"], "Field required", "missing")
                : new DefinitionError(["body", "specs"], "Input should be a valid dictionary", "dict_type"));
        }

        var saveJson = fields.TryGetValue("save_json", out var save) && save.ValueKind == JsonValueKind.True;
        if (fields.TryGetValue("save_json", out save) && save.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null))
        {
            errors.Add(new DefinitionError(["body", "save_json"], "Input should be a valid boolean", "bool_type"));
        }

        if (errors.Count > 0)
        {
            return (null, ApiErrors.Unprocessable(errors));
        }

        var definitionJson = InteractiveRuns.SourceDefinition(blockName!.Value.GetString()!, specs!.Value);
        using var definition = JsonDocument.Parse(definitionJson);
        var plan = plans.Compile(definition.RootElement, null, out var definitionErrors);
        if (plan is null)
        {
            return (null, ApiErrors.InvalidDefinition(definitionErrors));
        }

        var source = (SourceBlock)plan.Source.Compiled;
        var readsPayload = source.InputKind == SourceInputKind.WebhookPayload;
        if (!readsPayload)
        {
            // The stored body is the run's input only for a source that reads the payload.
            await blobs.DeleteAsync(BlobKeys.Payload(runId), cancellationToken);
        }

        if (readsPayload && !body.PayloadPresent)
        {
            return (null, ApiErrors.BadRequest($"Interactive session starts with {plan.Source.Type.Name} block '{plan.Source.Id}'; the request body needs a webhook_payload (a list of objects, or one object)."));
        }

        if (!readsPayload && body.PayloadPresent && !body.PayloadEmpty)
        {
            return (null, ApiErrors.BadRequest($"Interactive session starts with {plan.Source.Type.Name} block '{plan.Source.Id}', which does not take a webhook_payload; for read_csv, upload a file and pass its handle_id in specs.resource_handle_id."));
        }

        var runBody = new RunBody("", null, PayloadPresent: readsPayload, CacheConfigJson: body.Fields.GetValueOrDefault("cache_config"));
        var checkedFields = RunRequestBody.ParseFields(runBody, plan.Source, out var fieldError);
        if (fieldError is not null)
        {
            return (null, fieldError);
        }

        string inputKey = "";
        string? fileName = null;
        long? estimatedRows = null;
        switch (source.InputKind)
        {
            case SourceInputKind.WebhookPayload:
                try
                {
                    await using var stream = await blobs.OpenReadAsync(BlobKeys.Payload(runId), cancellationToken);
                    var scan = await source.ScanPayloadAsync(stream, cancellationToken);
                    if (scan.FirstNonObjectIndex is long index)
                    {
                        return (null, ApiErrors.BadRequest($"webhook_payload[{index}] is {scan.FirstNonObjectKind ?? "not an object"}, not an object; every element must be a JSON object (one row)."));
                    }

                    estimatedRows = scan.ElementCount;
                }
                catch (PayloadFormatException e)
                {
                    return (null, ApiErrors.Unprocessable(["body", e.BytePosition], $"JSON decode error: {e.Message}", "json_invalid"));
                }

                var payload = new SourceInput { OpenAsync = async ct => await blobs.OpenReadAsync(BlobKeys.Payload(runId), ct) };
                if (await source.CheckPayloadAsync(payload, plan.Source.Id, cancellationToken) is { } problem)
                {
                    return (null, ApiErrors.BadRequest(problem));
                }

                inputKey = BlobKeys.Payload(runId);
                break;
            case SourceInputKind.Notebook:
                foreach (var reference in plan.Source.Compiled.ReferencedNotebooks)
                {
                    if (reference.NotebookId is { } notebookId && await notebooks.GetNotebookAsync(http.Caller().OrgId, notebookId, cancellationToken) is null)
                    {
                        return (null, ApiErrors.NotFound($"Notebook '{notebookId}' (block '{plan.Source.Id}') not found"));
                    }
                }

                break;
            default:
                if (source.UploadHandle is not { } handle)
                {
                    return (null, ApiErrors.BadRequest($"Block '{plan.Source.Id}' ({plan.Source.Type.Name}) needs a resource_handle_id: upload a file to /storage/csv/upload and pass its handle_id in specs.resource_handle_id."));
                }

                var upload = Guid.TryParse(handle, out var handleId) ? await accounts.GetUploadAsync(http.Caller().OrgId, handleId, cancellationToken) : null;
                if (upload is null)
                {
                    return (null, ApiErrors.NotFound($"Upload '{handle}' not found"));
                }

                inputKey = upload.BlobKey;
                fileName = upload.FileName;
                estimatedRows = await UploadFiles.EstimateRowsAsync(blobs, upload, cancellationToken);
                break;
        }

        var options = new RunOptions
        {
            Formats = saveJson ? [ResultFormat.Csv, ResultFormat.Json] : [ResultFormat.Csv],
            InputBlobKey = inputKey,
            InputFileName = fileName,
            CacheConfig = checkedFields.CacheConfig,
            ChunkSize = chunkSize,
            EstimatedRows = estimatedRows,
        };
        var run = await sessions.StartAsync(runId, http.Caller().OrgId, definitionJson, plan, options, cancellationToken);
        return (new InteractiveStarted(run.Id, run.Status.ToWire()), null);
    }

    /// <summary>Streams the request body into <paramref name="key"/>; the error to answer when it is over <paramref name="limit"/>.</summary>
    private static async Task<PayloadTooLarge<ErrorBody>?> StoreBodyAsync(HttpContext http, IBlobStore blobs, string key, long limit, CancellationToken cancellationToken)
    {
        if (http.Request.ContentLength > limit)
        {
            return ApiErrors.TooLarge($"The request body is {http.Request.ContentLength} bytes, larger than the limit of {limit} bytes (Limits:MaxPayloadBytes).");
        }

        await using var writer = await blobs.CreateAsync(key, cancellationToken);
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await http.Request.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
            if (total > limit)
            {
                return ApiErrors.TooLarge($"The request body is larger than the limit of {limit} bytes (Limits:MaxPayloadBytes).");
            }

            await writer.Stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }

        await writer.CommitAsync(cancellationToken);
        return null;
    }

    /// <summary>The run when <paramref name="jobId"/> is an interactive session of the caller's organization (another's, or a run that is not a session, is "not found").</summary>
    private static async Task<RunRecord?> FindSessionAsync(IRunStore runs, HttpContext http, string jobId, CancellationToken cancellationToken) =>
        await RunsApi.FindRunAsync(runs, http.Caller(), jobId, cancellationToken) is { } run && InteractiveRuns.IsSession(run) ? run : null;

    private static NotFound<ErrorBody> SessionNotFound() => ApiErrors.NotFound("Interactive session not found");

    private static string? RequiredString(JsonElement body, string name, List<DefinitionError> errors)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            errors.Add(new DefinitionError(["body", name], "Field required", "missing"));
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(new DefinitionError(["body", name], "Input should be a valid string", "string_type"));
            return null;
        }

        return value.GetString();
    }

    private static JsonElement? RequiredObject(JsonElement body, string name, List<DefinitionError> errors)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            errors.Add(new DefinitionError(["body", name], "Field required", "missing"));
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new DefinitionError(["body", name], "Input should be a valid dictionary", "dict_type"));
            return null;
        }

        return value.Clone();
    }
}

/// <summary>Sixtyfour's <c>StartInteractiveResponse</c>.</summary>
public sealed record InteractiveStarted(Guid JobId, string Status);

/// <summary>Sixtyfour's <c>AddBlockResponse</c>: <c>block_id</c> and <c>error</c> are null when they do not apply.</summary>
public sealed record AddBlockResponse(bool Accepted, string? BlockId, string? Error);

/// <summary>Sixtyfour's <c>BlockOutputResponse</c>.</summary>
public sealed record BlockOutputResponse(string BlockId, string ResourceHandleId, long RowCount);

/// <summary>Sixtyfour's <c>FinishInteractiveResponse</c>.</summary>
public sealed record FinishInteractiveResponse(string Status);

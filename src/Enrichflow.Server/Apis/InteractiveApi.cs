using System.Text.Json;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Storage;
using Enrichflow.Engine;
using Enrichflow.Engine.Execution;
using Enrichflow.Engine.Interactive;
using Enrichflow.Engine.Status;
using Enrichflow.Hosting.Orgs;
using Enrichflow.Server.Auth;
using Enrichflow.Server.Hosting;
using Enrichflow.Server.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

using Enrichflow.Server.OpenApi;

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
        group.MapPost("/start", StartSession).DocumentsBody<InteractiveSessionBody>("application/json").WithSummary("Start an interactive run").WithDescription("Runs the source block at once; blocks are added one at a time over its rows.");
        group.MapPost("/{jobId}/add-block", AddBlock).DocumentsBody<AddBlockBody>("application/json").WithSummary("Add a block to an interactive run");
        group.MapGet("/{jobId}/state", GetState).WithSummary("An interactive run's live status");
        group.MapGet("/{jobId}/output", GetOutput).WithSummary("A block's output in an interactive run");
        group.MapPost("/{jobId}/finish", FinishSession).WithSummary("Finish an interactive run");
        group.MapPost("/{jobId}/save", SaveSession).DocumentsBody<SaveInteractiveBody>("application/json").WithSummary("Save an interactive run as a workflow");
        return group;
    }

    public static async Task<Results<Ok<InteractiveStarted>, RunRequestError, OrgLimitExceeded>> StartSession(
        HttpContext http,
        OrgAdmission admission,
        IBlobStore blobs,
        IAccountStore accounts,
        INotebookStore notebooks,
        RunPlans plans,
        InteractiveRuns sessions,
        IOptions<ServerOptions> serverOptions,
        IOptions<EngineOptions> engineOptions,
        CancellationToken cancellationToken)
    {
        // A session is a run: the organization's budget and quotas apply (docs/api.md §1), checked before its payload is read.
        if (await admission.CheckStartAsync(http.Caller().OrgId, cancellationToken) is { } refusal)
        {
            return OrgLimitExceeded.For(refusal);
        }

        var runId = Guid.CreateVersion7();
        var queued = false;
        try
        {
            var (started, error) = await InteractiveStartRequest.StartAsync(runId, http, blobs, accounts, notebooks, plans, sessions, serverOptions.Value.Limits, engineOptions.Value.ChunkSize, cancellationToken);
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

using System.Text.Json;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.Execution;
using Enrichflow.Server.Auth;
using Enrichflow.Server.Hosting;
using Enrichflow.Server.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

using Enrichflow.Server.OpenApi;

namespace Enrichflow.Server.Apis;

/// <summary>Workflow management (docs/api.md §2).</summary>
public static partial class WorkflowsApi
{
    /// <summary>Workflow ids that are also routes under <c>/workflows</c>.</summary>
    private static readonly HashSet<string> ReservedIds = new(StringComparer.OrdinalIgnoreCase)
    {
        "blocks", "runs", "run", "validate", "cancel", "resume", "estimate", "create_workflow", "update_workflow", "delete_workflow", "interactive",
    };

    public static RouteGroupBuilder MapWorkflowsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/workflows").RequireApiKey().WithTags("Workflows");
        group.MapGet("", ListWorkflows).WithSummary("List workflows").WithDescription("The organization's workflows, most recently updated first, without their definitions.");
        group.MapGet("/blocks", ListBlocks).WithSummary("List blocks").WithDescription("Every block once, with the JSON Schema of its specs (docs/api.md §5).");
        group.MapGet("/{workflowId}", GetWorkflow).WithSummary("Get a workflow");
        group.MapPost("/create_workflow", CreateWorkflow).DocumentsBody<CreateWorkflowBody>("application/json").WithSummary("Create a workflow").WithDescription("A workflow with step draft and version 1; 409 when the id is taken.");
        group.MapPost("/update_workflow", UpdateWorkflow).DocumentsBody<UpdateWorkflowBody>("application/json").WithSummary("Update a workflow").WithDescription("Changes any of its name, description and definition; an unknown id creates it (upsert).");
        group.MapPost("/delete_workflow", DeleteWorkflow).WithSummary("Delete a workflow").WithDescription("Permanent; frees the id. Its runs, result files and notebooks stay; its schedules are deleted with it.");
        group.MapPost("/validate", ValidateDefinition).DocumentsBody<ValidateBody>("application/json").WithSummary("Validate a definition").WithDescription("Valid with warnings, or the 400 with every problem and its location.");
        return group;
    }

    public static async Task<Ok<List<WorkflowSummary>>> ListWorkflows(HttpContext http, IWorkflowStore workflows, CancellationToken cancellationToken)
    {
        var list = await workflows.ListAsync(http.Caller().OrgId, cancellationToken);
        return TypedResults.Ok(list.Select(WorkflowSummary.From).ToList());
    }

    public static Ok<List<BlockInfo>> ListBlocks(BlockRegistry registry) =>
        TypedResults.Ok(registry.All.Select(t => new BlockInfo(
            t.ListedName,
            t.Description,
            t.Takes == DataframeType.Any ? ["LEAD", "COMPANY"] : [t.Takes.ToString().ToUpperInvariant()],
            JsonSerializer.SerializeToElement(t.SpecsSchema()),
            t.OtherNames,
            t.Role.ToString().ToLowerInvariant(),
            t.Yields?.ToString().ToUpperInvariant())).ToList());

    public static async Task<Results<Ok<WorkflowResponse>, NotFound<ErrorBody>>> GetWorkflow(string workflowId, HttpContext http, IWorkflowStore workflows, CancellationToken cancellationToken)
    {
        var workflow = await workflows.GetAsync(http.Caller().OrgId, workflowId, cancellationToken);
        return workflow is null ? ApiErrors.WorkflowNotFound() : TypedResults.Ok(WorkflowResponse.From(workflow));
    }

    public static async Task<Results<Ok<WorkflowResponse>, BadRequest<ErrorBody>, BadRequest<DefinitionErrorBody>, Conflict<ErrorBody>, UnprocessableEntity<ValidationBody>, JsonBodyError>> CreateWorkflow(
        HttpContext http, IWorkflowStore workflows, RunPlans plans, IOptions<ServerOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var (document, error) = await JsonBody.ReadObjectAsync(http.Request, options.Value.Limits.MaxRequestBytes, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        using var _ = document;
        var body = document!.RootElement;

        var errors = new List<DefinitionError>();
        var name = JsonBody.OptionalString(body, "workflow_name", errors);
        var description = JsonBody.OptionalString(body, "workflow_description", errors) ?? "";
        var id = JsonBody.OptionalString(body, "id", errors);
        if (name is null && errors.Count == 0)
        {
            errors.Add(new DefinitionError(["body", "workflow_name"], "Field required", "missing"));
        }

        if (!body.TryGetProperty("workflow_definition", out var definition) || definition.ValueKind == JsonValueKind.Null)
        {
            errors.Add(new DefinitionError(["body", "workflow_definition"], "Field required", "missing"));
        }
        else
        {
            DefinitionParser.Parse(definition, ["body", "workflow_definition"], errors);
        }

        if (errors.Count > 0)
        {
            return ApiErrors.Unprocessable(errors);
        }

        if (id is not null && CheckId(id) is { } idError)
        {
            return ApiErrors.BadRequest(idError);
        }

        plans.Compile(definition, null, out var definitionErrors, out var warnings);
        if (definitionErrors.Count > 0)
        {
            return ApiErrors.InvalidDefinition(definitionErrors);
        }

        var now = time.GetUtcNow();
        var record = new WorkflowRecord(id ?? Guid.CreateVersion7().ToString(), http.Caller().OrgId, name!, description, WorkflowStatus.Active, WorkflowStep.Draft, now, now, null, 1, definition.GetRawText());
        if (!await workflows.TryCreateAsync(record, cancellationToken))
        {
            return ApiErrors.Conflict($"Workflow with ID {record.Id} already exists. Use update endpoint to modify existing workflows.");
        }

        return TypedResults.Ok(WorkflowResponse.From(record, warnings));
    }

    public static async Task<Results<Ok<WorkflowResponse>, BadRequest<ErrorBody>, BadRequest<DefinitionErrorBody>, UnprocessableEntity<ValidationBody>, JsonBodyError>> UpdateWorkflow(
        [FromQuery(Name = "workflow_id")] string? workflowId, HttpContext http, IWorkflowStore workflows, RunPlans plans, IOptions<ServerOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(workflowId))
        {
            return ApiErrors.Unprocessable(["query", "workflow_id"], "Field required", "missing");
        }

        if (CheckId(workflowId) is { } idError)
        {
            return ApiErrors.BadRequest(idError);
        }

        var (document, error) = await JsonBody.ReadObjectAsync(http.Request, options.Value.Limits.MaxRequestBytes, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        using var _ = document;
        var body = document!.RootElement;

        var errors = new List<DefinitionError>();
        var name = JsonBody.OptionalString(body, "workflow_name", errors);
        var description = JsonBody.OptionalString(body, "workflow_description", errors);
        string? definitionJson = null;
        if (body.TryGetProperty("workflow_definition", out var definition) && definition.ValueKind != JsonValueKind.Null)
        {
            DefinitionParser.Parse(definition, ["body", "workflow_definition"], errors);
            definitionJson = definition.GetRawText();
        }

        if (errors.Count > 0)
        {
            return ApiErrors.Unprocessable(errors);
        }

        List<DefinitionWarning> warnings = [];
        if (definitionJson is not null)
        {
            plans.Compile(definition, null, out var definitionErrors, out warnings);
            if (definitionErrors.Count > 0)
            {
                return ApiErrors.InvalidDefinition(definitionErrors);
            }
        }

        var record = await workflows.UpsertAsync(http.Caller().OrgId, workflowId, new WorkflowUpdate(name, description, definitionJson), time.GetUtcNow(), cancellationToken);
        return TypedResults.Ok(WorkflowResponse.From(record, warnings));
    }

    public static async Task<Results<Ok<WorkflowResponse>, NotFound<ErrorBody>, UnprocessableEntity<ValidationBody>>> DeleteWorkflow(
        [FromQuery(Name = "workflow_id")] string? workflowId, HttpContext http, IWorkflowStore workflows, TimeProvider time, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(workflowId))
        {
            return ApiErrors.Unprocessable(["query", "workflow_id"], "Field required", "missing");
        }

        // Permanent (docs/api.md §2): the id is free again; runs, results and notebooks stay; its schedules go with it.
        var record = await workflows.DeleteAsync(http.Caller().OrgId, workflowId, time.GetUtcNow(), cancellationToken);
        return record is null ? ApiErrors.WorkflowNotFound() : TypedResults.Ok(WorkflowResponse.From(record));
    }

    public static async Task<Results<Ok<ValidResponse>, BadRequest<DefinitionErrorBody>, UnprocessableEntity<ValidationBody>, JsonBodyError>> ValidateDefinition(HttpContext http, RunPlans plans, IOptions<ServerOptions> options, CancellationToken cancellationToken)
    {
        var (document, error) = await JsonBody.ReadAsync(http.Request, options.Value.Limits.MaxRequestBytes, allowEmpty: false, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        using var _ = document;
        var body = document!.RootElement;
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("workflow_definition", out var definition))
        {
            return ApiErrors.Unprocessable(["body", "workflow_definition"], "Field required", "missing");
        }

        var schemaErrors = new List<DefinitionError>();
        DefinitionParser.Parse(definition, ["body", "workflow_definition"], schemaErrors);
        if (schemaErrors.Count > 0)
        {
            return ApiErrors.Unprocessable(schemaErrors);
        }

        plans.Compile(definition, null, out var errors, out var warnings);
        return errors.Count > 0 ? ApiErrors.InvalidDefinition(errors) : TypedResults.Ok(new ValidResponse(true, WarningItem.From(warnings)));
    }

    private static string? CheckId(string id)
    {
        if (!Identifiers.IsValid(id))
        {
            return $"Workflow id '{Identifiers.Shown(id)}' is not valid: use {Identifiers.Rule}.";
        }

        return ReservedIds.Contains(id) ? $"Workflow id '{id}' is reserved (it is also a route); choose another." : null;
    }

}

using Enrichflow.Client.Models;

namespace Enrichflow.Client;

/// <summary>Workflow management (docs/api.md §2).</summary>
public sealed partial class EnrichflowClient
{
    /// <summary><c>GET /workflows</c>: the organization's workflows, most recently updated first, without definitions.</summary>
    public Task<List<Workflow>> ListWorkflowsAsync(CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Get, "workflows"), EnrichflowJsonContext.Default.ListWorkflow, cancellationToken);

    /// <summary><c>GET /workflows/{id}</c>: the workflow with its definition.</summary>
    public Task<Workflow> GetWorkflowAsync(string workflowId, CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Get, $"workflows/{Escape(workflowId)}"), EnrichflowJsonContext.Default.Workflow, cancellationToken);

    /// <summary><c>POST /workflows/create_workflow</c>; a 409 when the request's <c>id</c> is taken, a 400 listing every problem of the definition.</summary>
    public Task<Workflow> CreateWorkflowAsync(CreateWorkflowRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Post, "workflows/create_workflow", Json(request, EnrichflowJsonContext.Default.CreateWorkflowRequest)),
            EnrichflowJsonContext.Default.Workflow, cancellationToken);

    /// <summary><c>POST /workflows/update_workflow?workflow_id=</c>: changes the fields given (creates the workflow when the id is unknown).</summary>
    public Task<Workflow> UpdateWorkflowAsync(string workflowId, UpdateWorkflowRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Post, $"workflows/update_workflow?workflow_id={Escape(workflowId)}", Json(request, EnrichflowJsonContext.Default.UpdateWorkflowRequest)),
            EnrichflowJsonContext.Default.Workflow, cancellationToken);

    /// <summary><c>POST /workflows/delete_workflow?workflow_id=</c>: the workflow as it was, with <c>status: deleted</c>.</summary>
    public Task<Workflow> DeleteWorkflowAsync(string workflowId, CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Post, $"workflows/delete_workflow?workflow_id={Escape(workflowId)}"), EnrichflowJsonContext.Default.Workflow, cancellationToken);

    /// <summary>
    /// <c>POST /workflows/validate</c> (ours): <c>valid</c> with warnings, or an <see cref="EnrichflowApiException"/> (400)
    /// whose <see cref="ApiErrorDetail.Errors"/> lists every problem with its place.
    /// </summary>
    public Task<ValidationResult> ValidateWorkflowAsync(WorkflowDefinition definition, CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Post, "workflows/validate", Json(new ValidateRequest(definition), EnrichflowJsonContext.Default.ValidateRequest)),
            EnrichflowJsonContext.Default.ValidationResult, cancellationToken);

    /// <summary><c>GET /workflows/blocks</c>: every block with the JSON Schema of its specs.</summary>
    public Task<List<BlockInfo>> ListBlocksAsync(CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Get, "workflows/blocks"), EnrichflowJsonContext.Default.ListBlockInfo, cancellationToken);
}

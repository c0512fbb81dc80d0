using Enrichflow.Core.Storage;
using Enrichflow.Engine;
using Enrichflow.Engine.Estimates;
using Enrichflow.Engine.Execution;
using Enrichflow.Server.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Enrichflow.Server.Apis;

/// <summary>
/// <c>POST /workflows/estimate</c> (ours): the same request as a run, checked the same way, answered with predicted
/// rows, provider calls and credits per block instead of a queued run. Nothing is queued and no paid call is made.
/// </summary>
public static class RunEstimateApi
{
    public static async Task<Results<Ok<WorkflowEstimate>, RunRequestError>> EstimateRun(
        [FromQuery(Name = "workflow_id")] string? workflowId,
        HttpContext http,
        IWorkflowStore workflows,
        IAccountStore accounts,
        INotebookStore notebooks,
        IBlobStore blobs,
        RunPlans plans,
        WorkflowEstimator estimator,
        IOptions<ServerOptions> serverOptions,
        IOptions<EngineOptions> engineOptions,
        CancellationToken cancellationToken)
    {
        var (request, error) = await RunRequest.OpenAsync(workflowId, null, null, http, workflows, blobs, plans, serverOptions.Value.Limits, cancellationToken);
        if (request is null)
        {
            return error!;
        }

        await using (request)
        {
            var (prepared, prepareError) = await request.PrepareAsync(accounts, notebooks, plans, engineOptions.Value.ChunkSize, cancellationToken);
            if (prepared is null)
            {
                return prepareError!;
            }

            return TypedResults.Ok(await estimator.EstimateAsync(request.OrgId, request.Workflow.Id, prepared.Plan, prepared.Options, cancellationToken));
        }
    }
}

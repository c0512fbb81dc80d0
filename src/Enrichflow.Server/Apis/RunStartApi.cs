using Enrichflow.Core.Storage;
using Enrichflow.Engine;
using Enrichflow.Engine.Execution;
using Enrichflow.Hosting.Orgs;
using Enrichflow.Server.Hosting;
using Enrichflow.Server.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Enrichflow.Server.Apis;

/// <summary>
/// <c>POST /workflows/run</c> (docs/api.md §3): checks the request, stores the payload as a stream, queues the run.
/// Nothing else happens on the request thread.
/// </summary>
public static class RunStartApi
{
    public static async Task<Results<Ok<RunStarted>, Conflict<ErrorBody>, RunRequestError, OrgLimitExceeded>> StartRun(
        [FromQuery(Name = "workflow_id")] string? workflowId,
        [FromQuery(Name = "result_formats")] string[]? resultFormats,
        [FromQuery(Name = "save_json")] string? saveJson,
        HttpContext http,
        IWorkflowStore workflows,
        IAccountStore accounts,
        INotebookStore notebooks,
        IBlobStore blobs,
        RunPlans plans,
        RunLauncher launcher,
        OrgAdmission admission,
        IOptions<ServerOptions> serverOptions,
        IOptions<EngineOptions> engineOptions,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var (request, error) = await RunRequest.OpenAsync(workflowId, resultFormats, saveJson, http, workflows, blobs, plans, serverOptions.Value.Limits, cancellationToken);
        if (request is null)
        {
            return error!;
        }

        await using (request)
        {
            var requestHash = RunIdempotency.RequestHash(workflowId!, request.Formats, request.BodyHash);
            var key = RunIdempotency.Key(http);
            if (await RunIdempotency.FindAsync(accounts, request.OrgId, key, time, cancellationToken) is { } previous)
            {
                return Repeated(previous);
            }

            // The organization's budget and quotas (docs/api.md §1), checked and the run recorded under its start gate.
            using var ticket = await admission.EnterStartAsync(request.OrgId, cancellationToken);
            if (ticket.Refusal is { } refusal)
            {
                return OrgLimitExceeded.For(refusal);
            }

            var (prepared, prepareError) = await request.PrepareAsync(accounts, notebooks, plans, engineOptions.Value.ChunkSize, cancellationToken);
            if (prepared is null)
            {
                return prepareError!;
            }

            var response = new RunStarted("queued", request.Workflow.Id, request.RunId, prepared.Options.CacheConfig, false) { MaxCredits = prepared.Options.MaxCredits };
            var reservation = RunIdempotency.Reservation(request.OrgId, key, requestHash, response, time);
            var creation = await launcher.QueueAsync(request.RunId, request.Workflow, prepared.Plan, prepared.Options, reservation, cancellationToken);
            if (creation.Held is { } winner)
            {
                // A racing request with the same key recorded its run first; this one's payload is freed with the request.
                return Repeated(winner);
            }

            request.Queued();
            return TypedResults.Ok(response);

            // The key is held: the first call's response again for the same request, a conflict for another.
            Results<Ok<RunStarted>, Conflict<ErrorBody>, RunRequestError, OrgLimitExceeded> Repeated(IdempotencyRecord first) => first.RequestHash == requestHash
                ? TypedResults.Ok(RunIdempotency.Replay(first))
                : ApiErrors.Conflict(RunIdempotency.Reused(key));
        }
    }
}

using Enrichflow.Client.Models;

namespace Enrichflow.Client;

/// <summary>Interactive workflows (docs/api.md §12, Sixtyfour's shapes): a block at a time over real rows, then saved.</summary>
public sealed partial class EnrichflowClient
{
    /// <summary><c>POST /workflows/interactive/start</c>: a session from a source block; it runs at once.</summary>
    public Task<InteractiveStarted> StartInteractiveAsync(StartInteractiveRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Post, "workflows/interactive/start", Json(request, EnrichflowJsonContext.Default.StartInteractiveRequest)),
            EnrichflowJsonContext.Default.InteractiveStarted, cancellationToken);

    /// <summary><c>POST /workflows/interactive/{job}/add-block</c>: <c>accepted: false</c> with the reason when the block does not fit (HTTP 200).</summary>
    public Task<AddBlockResult> AddInteractiveBlockAsync(string jobId, AddBlockRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Post, $"workflows/interactive/{Escape(jobId)}/add-block", Json(request, EnrichflowJsonContext.Default.AddBlockRequest)),
            EnrichflowJsonContext.Default.AddBlockResult, cancellationToken);

    /// <summary><c>GET /workflows/interactive/{job}/state</c>: the session's live status.</summary>
    public Task<LiveStatus> GetInteractiveStateAsync(string jobId, CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Get, $"workflows/interactive/{Escape(jobId)}/state"), EnrichflowJsonContext.Default.LiveStatus, cancellationToken);

    /// <summary><c>GET /workflows/interactive/{job}/output?block_id=</c>: the block's output as an upload handle (a 409 while it runs).</summary>
    public Task<BlockOutput> GetInteractiveOutputAsync(string jobId, string blockId, CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Get, $"workflows/interactive/{Escape(jobId)}/output?block_id={Escape(blockId)}"), EnrichflowJsonContext.Default.BlockOutput, cancellationToken);

    /// <summary><c>POST /workflows/interactive/{job}/finish</c>: no more blocks; the run completes.</summary>
    public Task<InteractiveFinished> FinishInteractiveAsync(string jobId, CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Post, $"workflows/interactive/{Escape(jobId)}/finish"), EnrichflowJsonContext.Default.InteractiveFinished, cancellationToken);

    /// <summary><c>POST /workflows/interactive/{job}/save</c>: a new workflow of the chain from the source to the block.</summary>
    public Task<Workflow> SaveInteractiveAsync(string jobId, SaveInteractiveRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Post, $"workflows/interactive/{Escape(jobId)}/save", Json(request, EnrichflowJsonContext.Default.SaveInteractiveRequest)),
            EnrichflowJsonContext.Default.Workflow, cancellationToken);
}

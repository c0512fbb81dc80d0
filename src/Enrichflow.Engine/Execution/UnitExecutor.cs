using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Rows;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.Results;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Enrichflow.Engine.Execution;

/// <summary>
/// Runs one claimed work unit: reads its input from the blob store, runs the block, writes the output, and
/// commits under the unit's lease. A unit that runs twice commits once.
/// </summary>
public sealed partial class UnitExecutor(
    IRunStore store,
    IBlobStore blobs,
    RunPlans plans,
    RunCoordinator coordinator,
    ResultAssembler assembler,
    IServiceProvider services,
    IOptions<EngineOptions> options,
    TimeProvider time,
    ILogger<UnitExecutor> logger)
{
    private readonly EngineOptions _options = options.Value;

    public async Task ExecuteAsync(ClaimedUnit unit, CancellationToken cancellationToken)
    {
        var run = await store.GetRunAsync(unit.Key.RunId, cancellationToken);
        if (run is null || run.Status != RunStatus.Running)
        {
            return;
        }

        var (plan, runOptions) = plans.Get(run);
        switch (unit.Key.Kind)
        {
            case UnitKind.Source:
                await RunSourceAsync(unit, run, plan, runOptions, cancellationToken);
                break;
            case UnitKind.Chunk:
                await RunChunkAsync(unit, run, plan, cancellationToken);
                break;
            case UnitKind.Assemble:
                await AssembleAsync(unit, run, plan, runOptions, cancellationToken);
                break;
            case UnitKind.Finalize:
                await FinalizeAsync(unit, run, plan, cancellationToken);
                break;
        }
    }

    private BlockRunContext ContextFor(RunRecord run, PlannedBlock block) => new()
    {
        RunId = run.Id,
        OrgId = run.OrgId,
        BlockId = block.Id,
        Services = services,
        Time = time,
    };

    private static UnitKey[] ChunkUnitsAfter(WorkflowPlan plan, PlannedBlock block, Guid runId, int chunk) =>
        [.. block.Outputs.Select(id => plan[id]).Select(child => new UnitKey(runId, UnitKind.Chunk, child.Id, chunk, child.Position))];

    private async Task WriteChunkAsync(Guid runId, string blockId, RowChunk chunk, IReadOnlyList<RejectedRow> rejects, CancellationToken cancellationToken)
    {
        await using (var writer = await blobs.CreateAsync(BlobKeys.Chunk(runId, blockId, chunk.Index), cancellationToken))
        {
            await ChunkFormat.WriteAsync(writer.Stream, chunk, cancellationToken);
            await writer.CommitAsync(cancellationToken);
        }

        if (rejects.Count > 0)
        {
            await using var writer = await blobs.CreateAsync(BlobKeys.Rejects(runId, blockId, chunk.Index), cancellationToken);
            await RejectsFormat.WriteAsync(writer.Stream, blockId, rejects, cancellationToken);
            await writer.CommitAsync(cancellationToken);
        }
        else
        {
            // A re-run of the unit may reject nothing where an earlier attempt did (it cannot, blocks are
            // deterministic, but a stale file must never be assembled).
            await blobs.DeleteAsync(BlobKeys.Rejects(runId, blockId, chunk.Index), cancellationToken);
        }
    }

    private async Task AfterChunkCommitAsync(RunRecord run, PlannedBlock block, CommitResult result, CancellationToken cancellationToken)
    {
        if (result.Committed && result.SourceChunkCount is int total && result.BlockChunksDone >= total)
        {
            await coordinator.ReconcileAsync(run.Id, cancellationToken);
        }

        LogChunkCommitted(logger, run.Id, block.Id, result.BlockChunksDone);
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Run {RunId}: block {BlockId} has {ChunksDone} chunks committed")]
    private static partial void LogChunkCommitted(ILogger logger, Guid runId, string blockId, int chunksDone);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Run {RunId}: unit {Unit} lost its lease; its work was discarded")]
    private static partial void LogLeaseLost(ILogger logger, Guid runId, UnitKey unit);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Run {RunId}: source block {BlockId} produced {Chunks} chunks ({Rows} rows, {Rejects} rejects)")]
    private static partial void LogSourceDone(ILogger logger, Guid runId, string blockId, int chunks, long rows, long rejects);
}

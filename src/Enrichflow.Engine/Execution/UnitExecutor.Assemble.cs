using Enrichflow.Core.Definitions;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.States;

namespace Enrichflow.Engine.Execution;

public sealed partial class UnitExecutor
{
    /// <summary>Writes a finished block's result files, then marks the block completed.</summary>
    private async Task AssembleAsync(ClaimedUnit unit, RunRecord run, WorkflowPlan plan, RunOptions runOptions, CancellationToken cancellationToken)
    {
        var block = plan[unit.Key.BlockId];
        var chunks = await store.ListChunkOutputsAsync(run.Id, block.Id, cancellationToken);
        await assembler.AssembleBlockAsync(run, plan, block, runOptions.Formats, chunks, null, cancellationToken);
        if (await CommitAsync(unit, new UnitCommit(unit.Key), cancellationToken) is null)
        {
            return;
        }

        await store.ApplyAsync(run.Id, block.Id, BlockEvent.Complete, time.GetUtcNow(), null, cancellationToken);
        await coordinator.ReconcileAsync(run.Id, cancellationToken);
    }

    /// <summary>Writes <c>rejects.ndjson</c> and completes the run.</summary>
    private async Task FinalizeAsync(ClaimedUnit unit, RunRecord run, WorkflowPlan plan, CancellationToken cancellationToken)
    {
        await assembler.AssembleRejectsAsync(run, plan, null, cancellationToken);
        if (await CommitAsync(unit, new UnitCommit(unit.Key), cancellationToken) is null)
        {
            return;
        }

        await coordinator.CompleteAsync(run, cancellationToken);
    }
}

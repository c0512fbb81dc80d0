using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.Results;
using Enrichflow.Engine.States;
using Microsoft.Extensions.Logging;

namespace Enrichflow.Engine.Execution;

/// <summary>
/// Decides a run's next state from what the store has committed: which units should exist next, and when the
/// run is completed, failed or cancelled. Every decision reads committed state, so it is safe to repeat after
/// a crash or on several nodes. Run and block statuses change only through <see cref="StoreTransitions"/>, by
/// events of the <see cref="RunStates"/> and <see cref="BlockStates"/> tables.
/// </summary>
public sealed partial class RunCoordinator(
    IRunStore store,
    IWorkflowStore workflows,
    IWorkDispatcher dispatcher,
    RunPlans plans,
    ResultAssembler assembler,
    IEnumerable<IKeyIndexStore> keyStores,
    IEnumerable<IRunEndListener> endListeners,
    TimeProvider time,
    ILogger<RunCoordinator> logger)
{
    public void NotifyWork() => dispatcher.NotifyWorkAvailable();

    /// <summary>Moves queued runs to running so that their units can be claimed.</summary>
    public async Task StartQueuedRunsAsync(CancellationToken cancellationToken)
    {
        foreach (var run in await store.ListRunsByStatusAsync(RunStates.Table.From(RunEvent.Start), cancellationToken))
        {
            if (await store.ApplyAsync(run.Id, RunEvent.Start, time.GetUtcNow(), null, null, cancellationToken))
            {
                var (plan, _) = plans.Get(run);
                await store.ApplyAsync(run.Id, plan.Source.Id, BlockEvent.Start, time.GetUtcNow(), null, cancellationToken);
                await workflows.RecordRunAsync(run.OrgId, run.WorkflowId, time.GetUtcNow(), completed: false, cancellationToken);
                LogRunStarted(logger, run.Id, run.WorkflowId);
            }
        }
    }

    /// <summary>Ensures the units that committed state calls for exist: a finished block's assembly, the run's finalization.</summary>
    public async Task ReconcileAsync(Guid runId, CancellationToken cancellationToken)
    {
        var run = await store.GetRunAsync(runId, cancellationToken);
        if (run is null || !RunStates.RunsUnits(run.Status) || run.SourceChunkCount is not int total)
        {
            return;
        }

        var (plan, _) = plans.Get(run);
        var blocks = (await store.GetRunBlocksAsync(runId, cancellationToken)).ToDictionary(b => b.BlockId, StringComparer.Ordinal);
        var enqueue = new List<UnitKey>();
        var assembled = 0;
        var sourceChunks = total;
        foreach (var block in plan.Blocks)
        {
            var record = blocks[block.Id];
            total = ChunkCounts.Total(plan, block, sourceChunks);
            var assemble = new UnitKey(runId, UnitKind.Assemble, block.Id, -1, block.Position);
            if (await store.IsUnitDoneAsync(assemble, cancellationToken))
            {
                assembled++;
                if (BlockStates.Allows(record.Status, BlockEvent.Complete))
                {
                    // The assembly committed but the process stopped before it marked the block.
                    await store.ApplyAsync(runId, block.Id, BlockEvent.Complete, time.GetUtcNow(), null, cancellationToken);
                }
            }
            else if (record.ChunksDone >= total)
            {
                await StartBlockAsync(record, cancellationToken);

                enqueue.Add(assemble);
            }
            else if (block.Compiled is TwoPhaseBlock && record.ChunksDone < total
                && await store.CountDoneAsync(runId, UnitKind.Observe, block.Id, cancellationToken) >= total)
            {
                // Every chunk has been observed: the second pass may run (enqueueing is idempotent).
                enqueue.AddRange(Enumerable.Range(0, total).Select(chunk => new UnitKey(runId, UnitKind.Chunk, block.Id, chunk, block.Position)));
                await StartBlockAsync(record, cancellationToken);
            }
            else if (block.Compiled is MergeBlock { HasBuildSide: true } && record.ChunksDone < total
                && blocks[block.Inputs[1].FromBlockId].ChunksDone >= ChunkCounts.Total(plan, plan[block.Inputs[1].FromBlockId], sourceChunks)
                && await store.CountDoneAsync(runId, UnitKind.Observe, block.Id, cancellationToken) is var observed
                && observed < ChunkCounts.Total(plan, plan[block.Inputs[1].FromBlockId], sourceChunks))
            {
                // The build side has finished: index every chunk of it (enqueueing is idempotent).
                var buildChunks = ChunkCounts.Total(plan, plan[block.Inputs[1].FromBlockId], sourceChunks);
                enqueue.AddRange(Enumerable.Range(0, buildChunks).Select(chunk => new UnitKey(runId, UnitKind.Observe, block.Id, chunk, block.Position)));
                await StartBlockAsync(record, cancellationToken);
            }
            else if (block.Compiled is MergeBlock && record.ChunksDone < total
                && block.Inputs.All(e => blocks[e.FromBlockId].ChunksDone >= ChunkCounts.Total(plan, plan[e.FromBlockId], sourceChunks)))
            {
                // Every input has finished: the merge runs over all their chunks (enqueueing is idempotent).
                enqueue.AddRange(Enumerable.Range(0, total).Select(chunk => new UnitKey(runId, UnitKind.Chunk, block.Id, chunk, block.Position)));
                await StartBlockAsync(record, cancellationToken);
            }
            else if (record.ChunksDone > 0)
            {
                await StartBlockAsync(record, cancellationToken);
            }
        }

        if (assembled == plan.Blocks.Count)
        {
            var finalize = new UnitKey(runId, UnitKind.Finalize, "", -1, plan.Blocks.Count);
            if (await store.IsUnitDoneAsync(finalize, cancellationToken))
            {
                // The rejects file was written and committed, but the process stopped before the run was marked.
                await CompleteAsync(run, cancellationToken);
                return;
            }

            enqueue.Add(finalize);
        }

        if (enqueue.Count > 0)
        {
            await store.EnqueueUnitsAsync(enqueue, cancellationToken);
            dispatcher.NotifyWorkAvailable();
        }
    }

    /// <summary>Marks a block running when the table lets it start (it is pending), without a write when it does not.</summary>
    private async Task StartBlockAsync(RunBlockRecord block, CancellationToken cancellationToken)
    {
        if (BlockStates.Allows(block.Status, BlockEvent.Start))
        {
            await store.ApplyAsync(block.RunId, block.BlockId, BlockEvent.Start, time.GetUtcNow(), null, cancellationToken);
        }
    }

    public async Task CompleteAsync(RunRecord run, CancellationToken cancellationToken)
    {
        if (await store.ApplyAsync(run.Id, RunEvent.Complete, time.GetUtcNow(), null, null, cancellationToken))
        {
            await workflows.RecordRunAsync(run.OrgId, run.WorkflowId, time.GetUtcNow(), completed: true, cancellationToken);
            await store.RaiseProgressAsync(run.Id, 100, cancellationToken);
            await ForgetKeysAsync(run.Id, cancellationToken);
            await NotifyEndedAsync(run.Id, cancellationToken);
            plans.Forget(run.Id);
            LogRunCompleted(logger, run.Id);
        }
    }

    /// <summary>Fails a run: stops its units and keeps the files of finished work.</summary>
    public async Task FailAsync(Guid runId, string? blockId, string message, CancellationToken cancellationToken)
    {
        if (!await store.ApplyAsync(runId, RunEvent.Fail, time.GetUtcNow(), "failed", message, cancellationToken))
        {
            return;
        }

        LogRunFailed(logger, runId, message);
        if (blockId is not null)
        {
            await store.ApplyAsync(runId, blockId, BlockEvent.Fail, time.GetUtcNow(), message, cancellationToken);
        }

        await dispatcher.AbortRunAsync(runId, cancellationToken);
        await KeepPartialResultsAsync(runId, "failed", cancellationToken);
    }

    /// <summary>Cancels a run that has not ended; returns its status afterwards.</summary>
    public async Task<RunStatus?> CancelAsync(Guid runId, CancellationToken cancellationToken)
    {
        if (await store.ApplyAsync(runId, RunEvent.Cancel, time.GetUtcNow(), "cancelled by request", null, cancellationToken))
        {
            LogRunCancelled(logger, runId);
            await dispatcher.AbortRunAsync(runId, cancellationToken);
            _ = Task.Run(() => KeepPartialResultsAsync(runId, "cancelled", CancellationToken.None), CancellationToken.None);
        }

        return (await store.GetRunAsync(runId, cancellationToken))?.Status;
    }

    /// <summary>
    /// Pauses a running run (a provider is out of credits, or the run's budget is reached): no unit of it is claimed
    /// any more, its committed work stays, and <see cref="ResumeAsync"/> continues it. Units under way are not
    /// aborted: their blocks stop starting paid calls and let those under way finish, so nothing paid for is lost.
    /// </summary>
    public async Task PauseAsync(Guid runId, string reason, CancellationToken cancellationToken)
    {
        if (await store.ApplyAsync(runId, RunEvent.Pause, time.GetUtcNow(), reason, null, cancellationToken))
        {
            LogRunPaused(logger, runId, reason);
        }
    }

    /// <summary>Continues a paused or failed run from its committed units, with a new credit budget when one is given.</summary>
    public async Task<RunStatus?> ResumeAsync(Guid runId, CancellationToken cancellationToken, double? maxCredits = null)
    {
        if (maxCredits is not null && await store.GetRunAsync(runId, cancellationToken) is { } stopped && RunStates.Allows(stopped.Status, RunEvent.Resume))
        {
            var options = RunOptions.FromJson(stopped.OptionsJson) with { MaxCredits = maxCredits };
            await store.UpdateRunOptionsAsync(runId, options.ToJson(), cancellationToken);
            plans.Forget(runId);
        }

        if (await store.ApplyAsync(runId, RunEvent.Resume, time.GetUtcNow(), "resumed", null, cancellationToken))
        {
            // Units the pause or failure stopped run again; what they had paid for is in the provider cache.
            await store.RetryFailedUnitsAsync(runId, cancellationToken);
            await ReconcileAsync(runId, cancellationToken);
            dispatcher.NotifyWorkAvailable();
        }

        return (await store.GetRunAsync(runId, cancellationToken))?.Status;
    }

    /// <summary>
    /// Assembles result files for every block that has finished chunks but no files yet, marked partial, and
    /// the rejects so far. Blocks that had finished keep their complete files.
    /// </summary>
    private async Task KeepPartialResultsAsync(Guid runId, string why, CancellationToken cancellationToken)
    {
        try
        {
            var run = await store.GetRunAsync(runId, cancellationToken);
            if (run is null)
            {
                return;
            }

            var (plan, options) = plans.Get(run);
            var total = run.SourceChunkCount;
            foreach (var block in plan.Blocks)
            {
                if (await store.IsUnitDoneAsync(new UnitKey(runId, UnitKind.Assemble, block.Id, -1), cancellationToken))
                {
                    continue;
                }

                var chunks = await store.ListChunkOutputsAsync(runId, block.Id, cancellationToken);
                var message = $"Partial results: the run was {why} after {chunks.Count} of {(total is int t ? t.ToString(System.Globalization.CultureInfo.InvariantCulture) : "an unknown number of")} chunks of block '{block.Id}'.";
                await assembler.AssembleBlockAsync(runId, plan, block, options.Formats, chunks, message, cancellationToken);
                // The block that failed keeps its status and message (the table does not stop it); the others were stopped with the run.
                await store.ApplyAsync(runId, block.Id, BlockEvent.Stop, time.GetUtcNow(), null, cancellationToken);
            }

            await assembler.AssembleRejectsAsync(runId, plan, $"Partial results: the run was {why}.", cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogPartialResultsFailed(logger, runId, e);
        }
        finally
        {
            await NotifyEndedAsync(runId, cancellationToken);
            plans.Forget(runId);
        }

        await ForgetKeysAsync(runId, cancellationToken);
    }

    /// <summary>Tells every <see cref="IRunEndListener"/> that the run ended (its final record, with its status).</summary>
    private async Task NotifyEndedAsync(Guid runId, CancellationToken cancellationToken)
    {
        RunRecord? run;
        try
        {
            run = await store.GetRunAsync(runId, cancellationToken);
        }
        catch (ObjectDisposedException)
        {
            return; // the process is shutting down; the listeners' own sweeps catch up on restart
        }

        if (run is null || !run.Status.IsTerminal())
        {
            return;
        }

        var (plan, _) = plans.Get(run);
        foreach (var listener in endListeners)
        {
            try
            {
                await listener.OnRunEndedAsync(run, plan, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogListenerFailed(logger, runId, e);
            }
        }
    }

    /// <summary>The keys a run's blocks recorded (deduplicate) are of no use once it has ended.</summary>
    private async Task ForgetKeysAsync(Guid runId, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var keys in keyStores)
            {
                await keys.DeleteScopesAsync(KeyScopes.Run(runId), cancellationToken);
            }
        }
        catch (ObjectDisposedException)
        {
            // Shutting down: the keys stay until the run ends again (resume) or are never read.
        }
    }

    /// <summary>Resumes every run that was queued or running when this process started, and rebuilds missing units.</summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        foreach (var run in await store.ListRunsByStatusAsync([RunStatus.Running], cancellationToken))
        {
            LogRunResumed(logger, run.Id);
            await ReconcileAsync(run.Id, cancellationToken);
        }

        dispatcher.NotifyWorkAvailable();
    }

    /// <summary>Re-checks every running run (a periodic safety net: units a crashed node never enqueued are added).</summary>
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        foreach (var run in await store.ListRunsByStatusAsync([RunStatus.Running], cancellationToken))
        {
            await ReconcileAsync(run.Id, cancellationToken);
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Run {RunId} of workflow {WorkflowId} started")]
    private static partial void LogRunStarted(ILogger logger, Guid runId, string workflowId);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Run {RunId} completed")]
    private static partial void LogRunCompleted(ILogger logger, Guid runId);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Run {RunId} failed: {Message}")]
    private static partial void LogRunFailed(ILogger logger, Guid runId, string message);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Warning, Message = "Run {RunId} paused: {Reason}")]
    private static partial void LogRunPaused(ILogger logger, Guid runId, string reason);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Run {RunId} cancelled")]
    private static partial void LogRunCancelled(ILogger logger, Guid runId);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Run {RunId} resumed after a restart")]
    private static partial void LogRunResumed(ILogger logger, Guid runId);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Error, Message = "Run {RunId}: a run-end listener failed")]
    private static partial void LogListenerFailed(ILogger logger, Guid runId, Exception exception);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Error, Message = "Run {RunId}: keeping partial results failed")]
    private static partial void LogPartialResultsFailed(ILogger logger, Guid runId, Exception exception);
}

using Enrichflow.Core.Storage;
using Enrichflow.Engine.States;

namespace Enrichflow.Engine.Execution;

// Ending a run early (it failed, or was cancelled by request) and keeping the results it had so far.
public sealed partial class RunCoordinator
{
    /// <summary>Fails a run: stops its units and keeps the files of finished work.</summary>
    public async Task FailAsync(Guid runId, string? blockId, string message, CancellationToken cancellationToken)
    {
        // The block first, while the run can still fail: whoever sees the run failed also sees which block failed it.
        if (blockId is not null && await store.GetRunAsync(runId, cancellationToken) is { Status: not (RunStatus.Completed or RunStatus.Failed or RunStatus.Cancelled) })
        {
            await store.ApplyAsync(runId, blockId, BlockEvent.Fail, time.GetUtcNow(), message, cancellationToken);
        }

        if (!await store.ApplyAsync(runId, RunEvent.Fail, time.GetUtcNow(), "failed", message, cancellationToken))
        {
            return;
        }

        spans.Ended(runId, RunStatus.Failed);
        LogRunFailed(logger, runId, message);

        await dispatcher.AbortRunAsync(runId, cancellationToken);
        await KeepPartialResultsAsync(runId, "failed", cancellationToken);
    }

    /// <summary>Cancels a run that has not ended; returns its status afterwards.</summary>
    public async Task<RunStatus?> CancelAsync(Guid runId, CancellationToken cancellationToken)
    {
        if (await store.ApplyAsync(runId, RunEvent.Cancel, time.GetUtcNow(), "cancelled by request", null, cancellationToken))
        {
            spans.Ended(runId, RunStatus.Cancelled);
            LogRunCancelled(logger, runId);
            await dispatcher.AbortRunAsync(runId, cancellationToken);
            _ = Task.Run(() => KeepPartialResultsAsync(runId, "cancelled", CancellationToken.None), CancellationToken.None);
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
                await assembler.AssembleBlockAsync(run, plan, block, options.Formats, chunks, message, cancellationToken);
                // The block that failed keeps its status and message (the table does not stop it); the others were stopped with the run.
                await store.ApplyAsync(runId, block.Id, BlockEvent.Stop, time.GetUtcNow(), null, cancellationToken);
            }

            await assembler.AssembleRejectsAsync(run, plan, $"Partial results: the run was {why}.", cancellationToken);
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
}

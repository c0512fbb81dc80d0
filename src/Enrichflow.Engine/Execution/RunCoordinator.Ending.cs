using Enrichflow.Core.Storage;
using Enrichflow.Engine.States;

namespace Enrichflow.Engine.Execution;

// A run's end: completing it, and what every end does (run-end listeners told, recorded keys forgotten).
public sealed partial class RunCoordinator
{
    public async Task CompleteAsync(RunRecord run, CancellationToken cancellationToken)
    {
        if (await store.ApplyAsync(run.Id, RunEvent.Complete, time.GetUtcNow(), null, null, cancellationToken))
        {
            await workflows.RecordRunAsync(run.OrgId, run.WorkflowId, time.GetUtcNow(), completed: true, cancellationToken);
            await store.RaiseProgressAsync(run.Id, 100, cancellationToken);
            await ForgetKeysAsync(run.Id, cancellationToken);
            await NotifyEndedAsync(run.Id, cancellationToken);
            plans.Forget(run.Id);
            spans.Ended(run.Id, RunStatus.Completed);
            LogRunCompleted(logger, run.Id);
        }
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
            catch (ObjectDisposedException)
            {
                return; // the host stopped under the listener (its services are gone), as above
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
}

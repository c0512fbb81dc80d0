using Enrichflow.Core.Storage;
using Enrichflow.Engine.States;

namespace Enrichflow.Engine.Execution;

// Pausing a running run and resuming a paused or failed one.
public sealed partial class RunCoordinator
{
    /// <summary>
    /// Pauses a running run (a provider is out of credits, or the run's budget is reached): no unit of it is claimed
    /// any more, its committed work stays, and <see cref="ResumeAsync"/> continues it. Units under way are not
    /// aborted: their blocks stop starting paid calls and let those under way finish, so nothing paid for is lost.
    /// </summary>
    public async Task PauseAsync(Guid runId, string reason, CancellationToken cancellationToken)
    {
        if (await store.ApplyAsync(runId, RunEvent.Pause, time.GetUtcNow(), reason, null, cancellationToken))
        {
            spans.Ended(runId, RunStatus.Paused);
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
            if (await store.GetRunAsync(runId, cancellationToken) is { } resumed)
            {
                spans.Started(resumed, resumed: true);
            }

            await ReconcileAsync(runId, cancellationToken);
            dispatcher.NotifyWorkAvailable();
        }

        return (await store.GetRunAsync(runId, cancellationToken))?.Status;
    }
}

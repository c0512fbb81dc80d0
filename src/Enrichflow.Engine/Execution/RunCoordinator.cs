using Enrichflow.Core.Storage;
using Enrichflow.Engine.Results;
using Enrichflow.Engine.States;
using Microsoft.Extensions.Logging;

namespace Enrichflow.Engine.Execution;

// The coordinator's dependencies and its dispatcher-driven entry points: starting queued runs, recovery at start-up, periodic sweeps.
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
    RunSpans spans,
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
                spans.Started(run);
                LogRunStarted(logger, run.Id, run.WorkflowId);
            }
        }
    }

    /// <summary>
    /// Resumes every run that was queued or running when this process started, and rebuilds missing units (a run
    /// recorded without its source unit gets it).
    /// </summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        foreach (var run in await store.ListRunsByStatusAsync([RunStatus.Queued, RunStatus.Running], cancellationToken))
        {
            await RepairSourceUnitAsync(run, cancellationToken);
            if (run.Status == RunStatus.Running)
            {
                spans.Started(run, resumed: true);
                LogRunResumed(logger, run.Id);
                await ReconcileAsync(run.Id, cancellationToken);
            }
        }

        dispatcher.NotifyWorkAvailable();
    }

    /// <summary>
    /// Re-checks every queued and running run (a periodic safety net: units a crashed node never enqueued are added,
    /// a run recorded without its source unit gets it), and drops the cached plans of runs that are neither.
    /// </summary>
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        var active = await store.ListRunsByStatusAsync([RunStatus.Queued, RunStatus.Running], cancellationToken);
        var repaired = false;
        foreach (var run in active)
        {
            repaired |= await RepairSourceUnitAsync(run, cancellationToken);
            if (run.Status == RunStatus.Running)
            {
                await ReconcileAsync(run.Id, cancellationToken);
            }
        }

        plans.Retain([.. active.Select(r => r.Id)]);
        if (repaired)
        {
            dispatcher.NotifyWorkAvailable();
        }
    }

    /// <summary>
    /// Enqueues the source unit of a run that has none and whose source has not finished: a run recorded before its
    /// unit by a process that stopped between the two (runs are now recorded with it in one transaction). True when it did.
    /// </summary>
    private async Task<bool> RepairSourceUnitAsync(RunRecord run, CancellationToken cancellationToken)
    {
        if (run.SourceChunkCount is not null || (await store.CountUnitsAsync(run.Id, cancellationToken)).Total > 0)
        {
            return false;
        }

        var (plan, _) = plans.Get(run);
        await store.EnqueueUnitsAsync([RunLauncher.SourceUnit(run.Id, plan)], cancellationToken);
        LogSourceUnitRepaired(logger, run.Id);
        return true;
    }
}

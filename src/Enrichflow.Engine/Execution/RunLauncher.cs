using Enrichflow.Core.Definitions;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.States;

namespace Enrichflow.Engine.Execution;

/// <summary>
/// Records a new run in its initial status (queued) with its blocks and its source unit, in one transaction; the
/// dispatcher does the rest.
/// </summary>
public sealed class RunLauncher(IRunStore store, IWorkDispatcher dispatcher, TimeProvider time)
{
    public async Task<RunRecord> QueueAsync(Guid runId, WorkflowRecord workflow, WorkflowPlan plan, RunOptions options, CancellationToken cancellationToken)
    {
        var queued = NewRun(runId, workflow, plan, options);
        await store.CreateRunAsync(queued, null, cancellationToken);
        Notify();
        return queued.Run;
    }

    /// <summary>
    /// Queues the run unless <paramref name="idempotency"/>'s key is held: then nothing is stored and the answer names the
    /// record that holds it (docs/api.md §3, <c>Idempotency-Key</c>).
    /// </summary>
    public async Task<RunCreation> QueueAsync(
        Guid runId, WorkflowRecord workflow, WorkflowPlan plan, RunOptions options, IdempotencyReservation? idempotency, CancellationToken cancellationToken)
    {
        var creation = await store.CreateRunAsync(NewRun(runId, workflow, plan, options), idempotency, cancellationToken);
        if (creation.Created)
        {
            Notify();
        }

        return creation;
    }

    /// <summary>
    /// The records of a new run, for a caller that stores them in one transaction with something else (a schedule's
    /// claim of a due time); it calls <see cref="Notify"/> once they are stored.
    /// </summary>
    public QueuedRun NewRun(Guid runId, WorkflowRecord workflow, WorkflowPlan plan, RunOptions options, Guid? scheduleId = null)
    {
        var now = time.GetUtcNow();
        var run = new RunRecord(runId, workflow.OrgId, workflow.Id, workflow.Name, workflow.Version, workflow.DefinitionJson,
            options.ToJson(), RunStates.Table.Initial, now, now, ScheduleId: scheduleId);
        var blocks = plan.Blocks
            .Select(b => new RunBlockRecord(runId, b.Id, b.Type.Name, b.Definition.SequenceNumber, b.Position, BlockStates.Table.Initial, UpdatedAt: now))
            .ToList();
        return new QueuedRun(run, blocks, [SourceUnit(runId, plan)]);
    }

    /// <summary>The unit a run starts with: its source block reading the input.</summary>
    public static UnitKey SourceUnit(Guid runId, WorkflowPlan plan) => new(runId, UnitKind.Source, plan.Source.Id, 0, 0);

    /// <summary>Tells the dispatcher that a new run's units are stored.</summary>
    public void Notify() => dispatcher.NotifyWorkAvailable();
}

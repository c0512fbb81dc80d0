using Enrichflow.Core.Definitions;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.States;

namespace Enrichflow.Engine.Execution;

/// <summary>Records a new run in its initial status (queued) with its blocks and its source unit; the dispatcher does the rest.</summary>
public sealed class RunLauncher(IRunStore store, IWorkDispatcher dispatcher, TimeProvider time)
{
    public async Task<RunRecord> QueueAsync(Guid runId, WorkflowRecord workflow, WorkflowPlan plan, RunOptions options, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var run = new RunRecord(runId, workflow.OrgId, workflow.Id, workflow.Name, workflow.Version, workflow.DefinitionJson,
            options.ToJson(), RunStates.Table.Initial, now, now);
        var blocks = plan.Blocks
            .Select(b => new RunBlockRecord(runId, b.Id, b.Type.Name, b.Definition.SequenceNumber, b.Position, BlockStates.Table.Initial, UpdatedAt: now))
            .ToList();
        await store.CreateRunAsync(run, blocks, cancellationToken);
        await store.EnqueueUnitsAsync([new UnitKey(runId, UnitKind.Source, plan.Source.Id, 0, 0)], cancellationToken);
        dispatcher.NotifyWorkAvailable();
        return run;
    }
}

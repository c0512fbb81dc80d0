using Enrichflow.Providers;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.Execution;

namespace Enrichflow.Hosting.Cleanup;

/// <summary>Forgets an ended run's budget account (its spending stays in the usage store).</summary>
internal sealed class EnrichmentRunEnd(EnrichmentCaller caller) : IRunEndListener
{
    public Task OnRunEndedAsync(RunRecord run, WorkflowPlan plan, CancellationToken cancellationToken)
    {
        caller.ForgetRun(run.Id);
        return Task.CompletedTask;
    }
}

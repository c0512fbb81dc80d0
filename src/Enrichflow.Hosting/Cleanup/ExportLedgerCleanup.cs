using Enrichflow.Core.Definitions;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.Execution;

namespace Enrichflow.Hosting.Cleanup;

/// <summary>
/// Forgets which export batches a run had delivered once the run can no longer continue (completed or cancelled;
/// a failed run keeps them, since <c>resume</c> continues it).
/// </summary>
public sealed class ExportLedgerCleanup(IExportLedger ledger) : IRunEndListener
{
    public async Task OnRunEndedAsync(RunRecord run, WorkflowPlan plan, CancellationToken cancellationToken)
    {
        if (run.Status is RunStatus.Completed or RunStatus.Cancelled && plan.Blocks.Any(b => b.Type.Name == "export"))
        {
            await ledger.DeleteExportBatchesAsync(run.Id, cancellationToken);
        }
    }
}

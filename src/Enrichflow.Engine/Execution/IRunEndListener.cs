using Enrichflow.Core.Definitions;
using Enrichflow.Core.Storage;

namespace Enrichflow.Engine.Execution;

/// <summary>
/// Told when a run ends (completed, failed or cancelled), after its result files are written: the way blocks such
/// as <c>outgoing_webhook</c> act once per run. A listener must be quick and durable itself (record what it will
/// do, then do it in the background). It may be told twice (two processes ending the same run), and it is not told
/// again when the process died between the end and the call: a listener that must not miss a run also sweeps the
/// ended runs itself.
/// </summary>
public interface IRunEndListener
{
    Task OnRunEndedAsync(RunRecord run, WorkflowPlan plan, CancellationToken cancellationToken);
}

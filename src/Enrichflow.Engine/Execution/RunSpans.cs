using System.Collections.Concurrent;
using System.Diagnostics;
using Enrichflow.Core.Diagnostics;
using Enrichflow.Core.Storage;

namespace Enrichflow.Engine.Execution;

/// <summary>
/// The <c>enrichflow.run</c> spans of the runs this process started, open until the run ends here, so that its units'
/// spans are its children. A unit of a run started elsewhere (another node, before a restart) hangs under the run's
/// fixed root context instead (<see cref="EnrichflowActivities.RunRoot"/>): the same trace either way. Nothing is
/// held or allocated while no tracer listens.
/// </summary>
public sealed class RunSpans
{
    private readonly ConcurrentDictionary<Guid, Activity> _open = new();

    public void Started(RunRecord run, bool resumed = false)
    {
        if (!EnrichflowActivities.Source.HasListeners())
        {
            return;
        }

        var previous = Activity.Current;
        var activity = EnrichflowActivities.Source.StartActivity("enrichflow.run", ActivityKind.Internal, EnrichflowActivities.RunRoot(run.Id));
        Activity.Current = previous;
        if (activity is null)
        {
            return;
        }

        activity.SetTag("enrichflow.run_id", run.Id.ToString());
        activity.SetTag("enrichflow.org_id", run.OrgId);
        activity.SetTag("enrichflow.workflow_id", run.WorkflowId);
        if (resumed)
        {
            activity.SetTag("enrichflow.resumed", true);
        }

        if (!_open.TryAdd(run.Id, activity))
        {
            activity.Dispose();
        }
    }

    public void Ended(Guid runId, RunStatus status)
    {
        if (!_open.TryRemove(runId, out var activity))
        {
            return;
        }

        var previous = Activity.Current;
        activity.SetTag("enrichflow.status", status.ToWire());
        if (status == RunStatus.Failed)
        {
            activity.SetStatus(ActivityStatusCode.Error);
        }

        activity.Stop();
        Activity.Current = previous;
    }

    /// <summary>The parent of a unit's span: the run's open span in this process, else the run's root context.</summary>
    public ActivityContext ParentOf(Guid runId) =>
        _open.TryGetValue(runId, out var activity) ? activity.Context : EnrichflowActivities.RunRoot(runId);
}

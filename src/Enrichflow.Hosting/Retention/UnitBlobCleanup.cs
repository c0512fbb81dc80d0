using Enrichflow.Core.Definitions;
using Enrichflow.Core.Diagnostics;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.Execution;

namespace Enrichflow.Hosting.Retention;

/// <summary>
/// Deletes a completed or cancelled run's unit files and input once it has ended (its result files are assembled
/// by then, and such a run cannot be resumed). A failed run keeps them for <c>resume</c> until it expires, and a run
/// with result files still to be rendered from its stored chunks keeps its unit files until the run expires (they
/// are those files' rows, docs/api.md §3.1). What this misses (a crash at the end, a stopped unit that still wrote)
/// the retention sweep removes.
/// </summary>
internal sealed partial class UnitBlobCleanup(IBlobStore blobs, IRunStore runs, ILogger<UnitBlobCleanup> logger) : IRunEndListener
{
    public async Task OnRunEndedAsync(RunRecord run, WorkflowPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Status is not (RunStatus.Completed or RunStatus.Cancelled))
        {
            return;
        }

        try
        {
            if (!(await runs.ListResultFilesAsync(run.Id, cancellationToken)).Any(f => f.Pending))
            {
                await blobs.DeletePrefixAsync(RetentionSweep.UnitsPrefix(run.Id), cancellationToken);
            }

            await blobs.DeletePrefixAsync(RetentionSweep.InputPrefix(run.Id), cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogFailed(logger, run.Id, e);
        }
    }

    [LoggerMessage(EventId = LogEvents.UnitBlobCleanupFailed, Level = LogLevel.Warning, Message = "Deleting the unit files of run {RunId} failed; the retention sweep tries again")]
    private static partial void LogFailed(ILogger logger, Guid runId, Exception exception);
}

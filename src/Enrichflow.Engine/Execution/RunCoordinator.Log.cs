using Enrichflow.Core.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Enrichflow.Engine.Execution;

// Source-generated log messages of the run coordinator (event ids 1001-1008, 1501).
public sealed partial class RunCoordinator
{
    [LoggerMessage(EventId = LogEvents.RunStarted, Level = LogLevel.Information, Message = "Run {RunId} of workflow {WorkflowId} started")]
    private static partial void LogRunStarted(ILogger logger, Guid runId, string workflowId);

    [LoggerMessage(EventId = LogEvents.RunCompleted, Level = LogLevel.Information, Message = "Run {RunId} completed")]
    private static partial void LogRunCompleted(ILogger logger, Guid runId);

    [LoggerMessage(EventId = LogEvents.RunFailed, Level = LogLevel.Warning, Message = "Run {RunId} failed: {Message}")]
    private static partial void LogRunFailed(ILogger logger, Guid runId, string message);

    [LoggerMessage(EventId = LogEvents.RunPaused, Level = LogLevel.Warning, Message = "Run {RunId} paused: {Reason}")]
    private static partial void LogRunPaused(ILogger logger, Guid runId, string reason);

    [LoggerMessage(EventId = LogEvents.RunCancelled, Level = LogLevel.Information, Message = "Run {RunId} cancelled")]
    private static partial void LogRunCancelled(ILogger logger, Guid runId);

    [LoggerMessage(EventId = LogEvents.RunResumed, Level = LogLevel.Information, Message = "Run {RunId} resumed after a restart")]
    private static partial void LogRunResumed(ILogger logger, Guid runId);

    [LoggerMessage(EventId = LogEvents.RunEndListenerFailed, Level = LogLevel.Error, Message = "Run {RunId}: a run-end listener failed")]
    private static partial void LogListenerFailed(ILogger logger, Guid runId, Exception exception);

    [LoggerMessage(EventId = LogEvents.PartialResultsFailed, Level = LogLevel.Error, Message = "Run {RunId}: keeping partial results failed")]
    private static partial void LogPartialResultsFailed(ILogger logger, Guid runId, Exception exception);

    [LoggerMessage(EventId = LogEvents.SourceUnitRepaired, Level = LogLevel.Warning, Message = "Run {RunId} had no source unit (a crash between recording the run and its first unit); enqueued it")]
    private static partial void LogSourceUnitRepaired(ILogger logger, Guid runId);
}

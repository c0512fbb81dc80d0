using Microsoft.Extensions.Logging;

namespace Enrichflow.Engine.Execution;

// Source-generated log messages of the run coordinator (event ids 1001-1008).
public sealed partial class RunCoordinator
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Run {RunId} of workflow {WorkflowId} started")]
    private static partial void LogRunStarted(ILogger logger, Guid runId, string workflowId);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Run {RunId} completed")]
    private static partial void LogRunCompleted(ILogger logger, Guid runId);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Run {RunId} failed: {Message}")]
    private static partial void LogRunFailed(ILogger logger, Guid runId, string message);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Warning, Message = "Run {RunId} paused: {Reason}")]
    private static partial void LogRunPaused(ILogger logger, Guid runId, string reason);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Run {RunId} cancelled")]
    private static partial void LogRunCancelled(ILogger logger, Guid runId);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Run {RunId} resumed after a restart")]
    private static partial void LogRunResumed(ILogger logger, Guid runId);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Error, Message = "Run {RunId}: a run-end listener failed")]
    private static partial void LogListenerFailed(ILogger logger, Guid runId, Exception exception);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Error, Message = "Run {RunId}: keeping partial results failed")]
    private static partial void LogPartialResultsFailed(ILogger logger, Guid runId, Exception exception);
}

using Microsoft.Extensions.Logging;

using Enrichflow.Core.Diagnostics;

namespace Enrichflow.Blocks.Export;

/// <summary>Log messages of <c>export</c> (event ids 7001–7099). They never carry rows, header values or the URL's query.</summary>
internal static partial class ExportLog
{
    [LoggerMessage(EventId = LogEvents.ExportRetrying, Level = LogLevel.Warning, Message = "Run {RunId}: export block {BlockId}, batch {Batch}: attempt {Attempt} failed ({Reason}); retrying in {Delay}")]
    public static partial void Retrying(ILogger logger, Guid runId, string blockId, long batch, int attempt, string reason, TimeSpan delay);

    [LoggerMessage(EventId = LogEvents.ExportBatchFailed, Level = LogLevel.Warning, Message = "Run {RunId}: export block {BlockId}, batch {Batch} failed after {Attempts} attempts: {Reason}")]
    public static partial void BatchFailed(ILogger logger, Guid runId, string blockId, long batch, int attempts, string reason);

    [LoggerMessage(EventId = LogEvents.ExportRefused, Level = LogLevel.Warning, Message = "Run {RunId}: export block {BlockId}: {Reason}")]
    public static partial void Refused(ILogger logger, Guid runId, string blockId, string reason);

    [LoggerMessage(EventId = LogEvents.ExportSkipped, Level = LogLevel.Debug, Message = "Run {RunId}: export block {BlockId}, batch {Batch} was acknowledged before; not sent again")]
    public static partial void Skipped(ILogger logger, Guid runId, string blockId, long batch);
}

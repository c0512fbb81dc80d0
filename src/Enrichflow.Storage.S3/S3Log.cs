using Enrichflow.Core.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Enrichflow.Storage.S3;

internal static partial class S3Log
{
    [LoggerMessage(EventId = LogEvents.S3UploadAbortFailed, Level = LogLevel.Warning,
        Message = "Could not abort the multipart upload of S3 object '{ObjectKey}' in bucket '{Bucket}'; it stays invisible, and the bucket's lifecycle rule or the stale-write sweep removes its parts")]
    public static partial void UploadAbortFailed(ILogger logger, string bucket, string objectKey, Exception exception);

    [LoggerMessage(EventId = LogEvents.S3StaleWriteRemoved, Level = LogLevel.Information,
        Message = "Removed an abandoned write of S3 object '{ObjectKey}' in bucket '{Bucket}' ({Bytes} bytes uploaded)")]
    public static partial void StaleWriteRemoved(ILogger logger, string bucket, string objectKey, long bytes);
}

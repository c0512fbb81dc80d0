namespace Enrichflow.Core.Blocks;

/// <summary>
/// What a source that reads the run's payload (<see cref="SourceInputKind.WebhookPayload"/>) found when it
/// scanned a stored run request body (<see cref="SourceBlock.ScanPayloadAsync"/>).
/// </summary>
/// <param name="ElementCount">The number of rows <c>webhook_payload</c> holds (1 for a single object, 0 when absent).</param>
/// <param name="FirstNonObjectIndex">The index of the first element that is not an object; null when all are objects.</param>
/// <param name="FirstNonObjectKind">What that element is ("a string", "a number", "a list", "null", ...).</param>
/// <param name="PayloadPresent">True when the body has a non-null <c>webhook_payload</c>.</param>
/// <param name="SpecsOverrideJson">The raw JSON text of the top-level <c>specs_override</c>; null when absent.</param>
/// <param name="CacheConfigJson">The raw JSON text of the top-level <c>cache_config</c>; null when absent.</param>
/// <param name="MaxCreditsJson">The raw JSON text of the top-level <c>max_credits</c>; null when absent.</param>
public sealed record PayloadScan(
    long ElementCount,
    long? FirstNonObjectIndex,
    string? FirstNonObjectKind,
    bool PayloadPresent,
    string? SpecsOverrideJson,
    string? CacheConfigJson,
    string? MaxCreditsJson = null);

/// <summary>
/// A JSON input (a run's request body, a <c>.json</c> upload) is malformed or has the wrong shape. The message
/// names where: the line and column of the problem and its byte position in the input.
/// </summary>
public sealed class PayloadFormatException(string message, long bytePosition, long? line = null) : FormatException(message)
{
    /// <summary>The 0-based byte offset in the input where the problem was found.</summary>
    public long BytePosition { get; } = bytePosition;

    /// <summary>The 1-based line of the problem, when known.</summary>
    public long? Line { get; } = line;

    /// <summary>True when the problem is an element or value over <see cref="InputLimits.MaxRecordBytes"/> (a 413).</summary>
    public bool TooLarge { get; init; }
}

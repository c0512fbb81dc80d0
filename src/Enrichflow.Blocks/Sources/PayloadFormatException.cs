namespace Enrichflow.Blocks.Sources;

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
}

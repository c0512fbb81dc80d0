using Enrichflow.Core.Rows;

namespace Enrichflow.Blocks.Sources;

/// <summary>
/// One element of <c>webhook_payload</c> (or of a <c>.json</c> upload's array): the row when the element is a
/// JSON object, otherwise what it is instead.
/// </summary>
/// <param name="Index">The element's 0-based position; the row index of the run.</param>
/// <param name="Row">The element as a row; null when it is not an object.</param>
/// <param name="Problem">Why the element is not a row (e.g. "element 3 is a string, not an object"); null for a row.</param>
public readonly record struct PayloadElement(long Index, Row? Row, string? Problem)
{
    public bool IsObject => Row is not null;

    /// <summary>True when the element is over the record cap (<c>Limits:MaxRecordBytes</c>); it was never buffered whole.</summary>
    public bool TooLarge { get; init; }
}

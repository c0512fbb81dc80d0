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
}

/// <summary>What <see cref="WebhookPayloadReader.ScanAsync"/> found in a request body.</summary>
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

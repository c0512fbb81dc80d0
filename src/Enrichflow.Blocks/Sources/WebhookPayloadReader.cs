using System.Runtime.CompilerServices;
using Enrichflow.Core.Blocks;

namespace Enrichflow.Blocks.Sources;

/// <summary>
/// Reads the <c>webhook_payload</c> of a run's request body (docs/api.md §3) as a stream: the body is never loaded
/// whole; an element is materialised once it is entirely buffered, and the buffer grows only for an element
/// larger than it, up to the record cap (<c>Limits:MaxRecordBytes</c>). Other top-level properties are skipped. An empty body is a body without a payload.
/// </summary>
public static class WebhookPayloadReader
{
    /// <summary>
    /// Yields each element of <c>webhook_payload</c> with its index: a list of objects, or one object (one row).
    /// Throws <see cref="PayloadFormatException"/> on malformed JSON.
    /// </summary>
    public static async IAsyncEnumerable<PayloadElement> ReadAsync(
        Stream body, int maxRecordBytes, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var buffer = new JsonStreamBuffer(body, maxRecordBytes);
        var parser = new JsonElementParser(JsonRoot.PayloadObject, scanOnly: false, maxRecordBytes);
        await foreach (var element in ParseAsync(parser, buffer, cancellationToken))
        {
            yield return element;
        }
    }

    /// <summary>
    /// Checks a stored request body without materialising rows: counts the elements, finds the first that is not
    /// an object, and captures the raw JSON of <c>specs_override</c> and <c>cache_config</c> (at most 1 MiB each).
    /// Throws <see cref="PayloadFormatException"/> (with the byte position) on malformed JSON, and one marked
    /// <see cref="PayloadFormatException.TooLarge"/> naming the element when an element is over <paramref name="maxRecordBytes"/>.
    /// </summary>
    public static async Task<PayloadScan> ScanAsync(Stream body, int maxRecordBytes, CancellationToken cancellationToken)
    {
        var buffer = new JsonStreamBuffer(body, maxRecordBytes);
        var parser = new JsonElementParser(JsonRoot.PayloadObject, scanOnly: true, maxRecordBytes);
        await foreach (var _ in ParseAsync(parser, buffer, cancellationToken))
        {
            // Scanning yields no elements.
        }

        return new PayloadScan(
            parser.Count,
            parser.FirstNonObjectIndex,
            parser.FirstNonObjectKind,
            parser.PayloadPresent,
            parser.SpecsOverrideJson,
            parser.CacheConfigJson,
            parser.MaxCreditsJson);
    }

    /// <summary>Drives <paramref name="parser"/> over <paramref name="buffer"/>, refilling it as needed.</summary>
    internal static async IAsyncEnumerable<PayloadElement> ParseAsync(
        JsonElementParser parser, JsonStreamBuffer buffer, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            switch (parser.Step(buffer, out var element))
            {
                case JsonStep.Element:
                    yield return element;
                    break;
                case JsonStep.NeedMoreData:
                    if (buffer.IsFull)
                    {
                        // The value at hand is over the record cap: refused, or yielded as such and stepped over.
                        if (parser.OnOversized(buffer, out var oversized))
                        {
                            yield return oversized;
                        }

                        break;
                    }

                    if (!await buffer.FillAsync(cancellationToken))
                    {
                        throw new PayloadFormatException(
                            $"The JSON is not valid at byte {buffer.Offset}: the input ends before the JSON is complete.", buffer.Offset);
                    }

                    break;
                default:
                    yield break;
            }
        }
    }
}

using System.Runtime.CompilerServices;
using Enrichflow.Core.Blocks;

namespace Enrichflow.Blocks.Sources;

/// <summary>
/// Streams a <c>.json</c> upload (an array of objects) element by element through the same refillable buffer as
/// the webhook payload. An element that is not an object is rejected with its index (strict: fails the read);
/// malformed JSON cannot be resynchronised and always fails the read, naming the line. An element over
/// <see cref="SourceReadOptions.MaxRecordBytes"/> is rejected with its index without being buffered (strict: fails the read).
/// </summary>
internal static class JsonArraySourceReader
{
    public static async IAsyncEnumerable<SourceRecord> ReadAsync(
        Stream stream, SourceReadOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var parser = new JsonElementParser(JsonRoot.Array, scanOnly: false, options.MaxRecordBytes);
        var elements = WebhookPayloadReader.ParseAsync(parser, new JsonStreamBuffer(stream, options.MaxRecordBytes), cancellationToken);
        await using var enumerator = elements.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            PayloadElement element;
            try
            {
                if (!await enumerator.MoveNextAsync())
                {
                    break;
                }

                element = enumerator.Current;
            }
            catch (PayloadFormatException e)
            {
                throw new SourceFormatException(e.Message, e.Line) { TooLarge = e.TooLarge };
            }

            if (element.Row is { } row)
            {
                yield return SourceRecord.Of(row);
            }
            else if (options.Strict || element.TooLarge && options.FailOnOversized)
            {
                throw new SourceFormatException($"{element.Problem}.") { TooLarge = element.TooLarge };
            }
            else
            {
                yield return SourceRecord.Rejected(new RejectedRow(element.Index, element.Problem ?? "not an object", null));
            }
        }

        if (parser.IsEmptyInput)
        {
            throw new SourceFormatException("The file is empty: line 1 has no JSON array.", 1);
        }
    }
}

using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Enrichflow.Core.Blocks;

namespace Enrichflow.Blocks.Sources;

/// <summary>
/// Streams a <c>.jsonl</c> / <c>.ndjson</c> upload: one object per line, blank lines skipped. A line that is not
/// valid JSON, not an object, or not valid UTF-8 is rejected with its line number (strict: fails the read). A
/// line longer than <see cref="SourceReadOptions.MaxRecordBytes"/> is rejected without being buffered.
/// </summary>
internal static class JsonLinesSourceReader
{
    public static async IAsyncEnumerable<SourceRecord> ReadAsync(
        Stream stream, SourceReadOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var lines = new LineBuffer(stream, options.MaxRecordBytes);
        var rows = new JsonRowReader();
        long index = 0;
        var sawRecord = false;
        while (await lines.NextAsync(cancellationToken))
        {
            if (lines.IsBlank)
            {
                continue;
            }

            sawRecord = true;
            var record = lines.TooLong
                ? Reject(index, lines.LineNumber, $"line exceeds {SourceReadOptions.Size(options.MaxRecordBytes)} (Limits:MaxRecordBytes)", lines.Current, options, tooLarge: true)
                : Parse(rows, index, lines.LineNumber, lines.Current, options);
            index++;
            yield return record;
        }

        if (!sawRecord)
        {
            throw new SourceFormatException("The file is empty: line 1 has no JSON object.", 1);
        }
    }

    /// <summary>Parses one line as a row, or rejects it.</summary>
    private static SourceRecord Parse(JsonRowReader rows, long index, long line, ReadOnlySpan<byte> text, SourceReadOptions options)
    {
        string? problem;
        if (!System.Text.Unicode.Utf8.IsValid(text))
        {
            problem = "the line contains invalid UTF-8 bytes";
        }
        else
        {
            try
            {
                var reader = new Utf8JsonReader(text, isFinalBlock: true, state: default);
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    problem = $"the line holds {JsonElementParser.Describe(reader.TokenType)}, not a JSON object";
                }
                else
                {
                    var row = rows.Read(ref reader, index);
                    if (reader.Read())
                    {
                        problem = "the line holds more than one JSON value";
                    }
                    else
                    {
                        return SourceRecord.Of(row);
                    }
                }
            }
            catch (JsonException e)
            {
                var message = e.Message;
                var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
                problem = $"the line is not valid JSON: {(cut > 0 ? message[..cut] : message).TrimEnd()}";
            }
        }

        return Reject(index, line, problem, text, options);
    }

    private static SourceRecord Reject(long index, long line, string problem, ReadOnlySpan<byte> text, SourceReadOptions options, bool tooLarge = false)
    {
        if (options.Strict || tooLarge && options.FailOnOversized)
        {
            throw new SourceFormatException($"line {line}: {problem}", line) { TooLarge = tooLarge };
        }

        var raw = text.Length > options.MaxRawChars * 4 ? text[..(options.MaxRawChars * 4)] : text;
        var decoded = Encoding.UTF8.GetString(raw);
        return SourceRecord.Rejected(new RejectedRow(index, problem, null)
        {
            Line = line,
            Raw = CsvText.Excerpt(decoded, options.MaxRawChars),
        });
    }
}

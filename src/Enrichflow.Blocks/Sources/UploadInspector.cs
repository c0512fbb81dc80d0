using Enrichflow.Core.Blocks;

namespace Enrichflow.Blocks.Sources;

/// <summary>
/// Checks a stored upload the way <c>read_csv</c> will read it, from its beginning only: the format, the CSV
/// delimiter and header, and that a first row exists, within the record cap. The server calls it after storing an
/// upload and turns a <see cref="SourceFormatException"/> into a 400 naming the line (a 413 when
/// <see cref="SourceFormatException.TooLarge"/>). No record it looks at is buffered past the cap.
/// </summary>
public static class UploadInspector
{
    /// <summary>
    /// Inspects the start of an upload. Throws <see cref="SourceFormatException"/> when the type is not supported,
    /// the file is empty, the header is unreadable, the file has no rows, the first row is not an object (JSON), or
    /// the header or first row is over <see cref="InputLimits.MaxRecordBytes"/>.
    /// </summary>
    public static async Task<UploadInspection> InspectAsync(Stream upload, string fileName, InputLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var format = UploadFormats.FromFileName(fileName)
            ?? throw new SourceFormatException($"The file '{fileName}' is not .csv, .json, .jsonl or .ndjson.");
        var lenient = SourceReadOptions.Within(limits) with { FailOnOversized = true };
        return format switch
        {
            UploadFormat.Csv => await InspectCsvAsync(upload, lenient, cancellationToken),
            UploadFormat.Json => await InspectJsonAsync(
                JsonArraySourceReader.ReadAsync(upload, lenient with { Strict = true }, cancellationToken), format, "the JSON array is empty"),
            _ => await InspectJsonAsync(
                JsonLinesSourceReader.ReadAsync(upload, lenient with { Strict = true }, cancellationToken), format, "it has no object"),
        };
    }

    private static async Task<UploadInspection> InspectCsvAsync(Stream upload, SourceReadOptions options, CancellationToken cancellationToken)
    {
        await using var session = await CsvSourceReader.OpenAsync(upload, options, cancellationToken);
        long headerLine = 0;
        while (await session.MoveNextAsync(cancellationToken))
        {
            var line = session.Sep.Current.RowIndex == 0 ? 1 : session.Sep.Current.LineNumberFrom;
            var hadHeader = session.Reader.Header is not null;
            if (session.Reader.Convert(session.Sep) is not null)
            {
                return new UploadInspection(UploadFormat.Csv, session.Delimiter, session.Reader.Header!);
            }

            if (!hadHeader && session.Reader.Header is not null)
            {
                headerLine = line;
            }
        }

        session.EnsureHeader();
        throw new SourceFormatException($"The file has no rows: nothing follows the header on line {headerLine}.", headerLine);
    }

    private static async Task<UploadInspection> InspectJsonAsync(IAsyncEnumerable<SourceRecord> records, UploadFormat format, string noRows)
    {
        await foreach (var record in records)
        {
            return new UploadInspection(format, null, record.Row is { } row ? [.. row.Keys] : []);
        }

        throw new SourceFormatException($"The file has no rows: {noRows}.", 1);
    }
}

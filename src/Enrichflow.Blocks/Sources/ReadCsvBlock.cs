using System.Runtime.CompilerServices;
using Enrichflow.Core.Blocks;

namespace Enrichflow.Blocks.Sources;

/// <summary>The compiled <c>read_csv</c> source: picks the reader by the upload's extension.</summary>
internal sealed class ReadCsvBlock(ReadCsvSpecs specs, DataframeType? declaredType, SourceReadOptions options) : SourceBlock
{
    private readonly string[] _required = SourceSpecs.RequiredColumns(specs.InputSchema);

    public override DataframeType? DeclaredType => declaredType;

    private readonly string[]? _declared = specs.InputSchema is { } schema ? [.. schema.Keys] : null;

    public override IReadOnlyList<string>? DeclaredColumns => _declared;

    public override SourceInputKind InputKind => SourceInputKind.Upload;

    public override string? UploadHandle => specs.ResourceHandleId;

    public override async IAsyncEnumerable<SourceRecord> ReadAsync(
        SourceInput input, BlockRunContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var format = UploadFormats.FromFileName(input.FileName)
            ?? throw new SourceFormatException($"The upload '{input.FileName}' is not .csv, .json, .jsonl or .ndjson.");
        var stream = await input.OpenAsync(cancellationToken);
        await using (stream)
        {
            if (format == UploadFormat.Csv)
            {
                // Sep's rows straight from here, without a second enumerator per row.
                await using var session = await CsvSourceReader.OpenAsync(stream, options, cancellationToken);
                while (await session.MoveNextAsync(cancellationToken))
                {
                    if (session.Reader.Convert(session.Sep) is { } record)
                    {
                        yield return _required.Length == 0 ? record : CheckRequired(record);
                    }
                }

                session.EnsureHeader();
                yield break;
            }

            var records = format == UploadFormat.Json
                ? JsonArraySourceReader.ReadAsync(stream, options, cancellationToken)
                : JsonLinesSourceReader.ReadAsync(stream, options, cancellationToken);
            await foreach (var record in records)
            {
                yield return _required.Length == 0 ? record : CheckRequired(record);
            }
        }
    }

    private SourceRecord CheckRequired(SourceRecord record)
    {
        if (record.Row is not { } row || SourceSpecs.MissingRequired(row, _required) is not { } reason)
        {
            return record;
        }

        return options.Strict
            ? throw new SourceFormatException($"row {row.Index}: {reason}.")
            : SourceRecord.Rejected(new RejectedRow(row.Index, reason, row));
    }
}

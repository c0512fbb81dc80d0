using System.Text;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;
using nietras.SeparatedValues;

namespace Enrichflow.Blocks.Sources;

/// <summary>
/// Streams a CSV upload (RFC 4180, header required, UTF-8) as rows and rejects with Sep. Every value is a string
/// (an empty cell is ""). Blank lines are skipped. A malformed record (ragged, unterminated quote, invalid UTF-8,
/// NUL, a field over <see cref="SourceReadOptions.MaxFieldBytes"/>, a record over
/// <see cref="SourceReadOptions.MaxRecordBytes"/>) is rejected with its 1-based line, or fails the read in
/// strict mode. Row indexes count rejected records too. Sep reads synchronously from bytes the
/// <see cref="CsvRecordGuard"/> has read ahead asynchronously (<see cref="CsvSession.MoveNextAsync"/>), so a row
/// costs no asynchronous step; values that repeat in a column share one string (<see cref="ValuePool"/>).
/// </summary>
internal sealed class CsvSourceReader
{
    private const int TextBufferSize = 64 * 1024;

    private readonly CsvRecordGuard _guard;
    private readonly SourceReadOptions _options;
    private ValuePool? _values;
    private string[]? _header;
    private long _index;

    private CsvSourceReader(CsvRecordGuard guard, SourceReadOptions options)
    {
        _guard = guard;
        _options = options;
    }

    /// <summary>The column names, once the header was read.</summary>
    public IReadOnlyList<string>? Header => _header;

    /// <summary>Opens Sep over the guarded stream with the given or sniffed delimiter.</summary>
    public static async Task<CsvSession> OpenAsync(Stream stream, SourceReadOptions options, CancellationToken cancellationToken)
    {
        var guard = new CsvRecordGuard(stream, options.MaxRecordBytes);
        var start = await guard.PeekAsync(cancellationToken);
        var delimiter = options.Delimiter ?? CsvSniffer.Sniff(start.Span, guard.PeekedToEnd);
        var text = new StreamReader(guard, CsvText.Utf8, detectEncodingFromByteOrderMarks: false, TextBufferSize);
        // The guard holds the start of the file: Sep's first read is served from it without blocking.
        var sep = Sep.Reader(o => o with
        {
            Sep = Sep.New(delimiter),
            HasHeader = false,
            Unescape = true,
            DisableColCountCheck = true,
        }).From(text);
        return new CsvSession(sep, text, guard, new CsvSourceReader(guard, options), delimiter);
    }

    public static SourceFormatException EmptyFile() => new("The file is empty: line 1 has no header.", 1);

    /// <summary>Turns Sep's current row into a record; null for the header and blank lines.</summary>
    public SourceRecord? Convert(SepReader sep)
    {
        var row = sep.Current;
        var raw = row.Span;
        if (raw.IsEmpty)
        {
            return null;
        }

        var line = row.RowIndex == 0 ? 1 : (long)row.LineNumberFrom;
        var anomaly = _guard.HasAnomalies ? _guard.TakeAnomaly(line) : null;
        var tooLarge = anomaly is { Unterminated: false };
        var problem = anomaly is { } cut
            ? cut.Unterminated ? "unterminated quoted field" : $"record exceeds {SourceReadOptions.Size(_options.MaxRecordBytes)} (Limits:MaxRecordBytes)"
            : CsvText.Problem(raw);
        if (_header is null)
        {
            if (problem is not null)
            {
                throw new SourceFormatException($"line {line}: the header is unreadable: {problem}.", line) { TooLarge = tooLarge };
            }

            var names = new string[row.ColCount];
            for (var i = 0; i < names.Length; i++)
            {
                names[i] = row[i].ToString();
            }

            _header = CsvHeader.Names(names);
            _values = new ValuePool(_header.Length);
            return null;
        }

        var index = _index++;
        if (problem is null && row.ColCount != _header.Length)
        {
            problem = $"expected {_header.Length} fields, found {row.ColCount}";
        }

        if (problem is not null)
        {
            return Reject(index, line, problem, raw, tooLarge);
        }

        var maxFieldChars = _options.MaxFieldBytes / 3;
        var values = _values!;
        var result = new Row(index, _header.Length);
        for (var i = 0; i < _header.Length; i++)
        {
            var value = row[i].Span;
            if (value.Length > maxFieldChars && Encoding.UTF8.GetByteCount(value) > _options.MaxFieldBytes)
            {
                return Reject(index, line, $"field '{_header[i]}' exceeds {SourceReadOptions.Size(_options.MaxFieldBytes)}", row.Span);
            }

            result.Add(_header[i], values.Get(i, value));
        }

        return SourceRecord.Of(result);
    }

    private SourceRecord Reject(long index, long line, string problem, ReadOnlySpan<char> raw, bool tooLarge = false) =>
        _options.Strict || tooLarge && _options.FailOnOversized
            ? throw new SourceFormatException($"line {line}: {problem}", line) { TooLarge = tooLarge }
            : SourceRecord.Rejected(new RejectedRow(index, problem, null)
            {
                Line = line,
                Raw = CsvText.Excerpt(raw, _options.MaxRawChars),
            });
}

/// <summary>An open CSV read: Sep, the text reader and guard under it, and the converter.</summary>
internal sealed class CsvSession(SepReader sep, TextReader text, CsvRecordGuard guard, CsvSourceReader reader, char delimiter) : IAsyncDisposable
{
    public SepReader Sep { get; } = sep;

    public CsvSourceReader Reader { get; } = reader;

    public char Delimiter { get; } = delimiter;

    /// <summary>
    /// Moves Sep to the next row. Synchronous while the guard has bytes read ahead; tops the read-ahead up
    /// asynchronously first when it runs low.
    /// </summary>
    public ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken) =>
        guard.NeedsFill ? FillThenMoveNextAsync(cancellationToken) : ValueTask.FromResult(Sep.MoveNext());

    /// <summary>Throws when the file ended before a header.</summary>
    public void EnsureHeader()
    {
        if (Reader.Header is null)
        {
            throw CsvSourceReader.EmptyFile();
        }
    }

    private async ValueTask<bool> FillThenMoveNextAsync(CancellationToken cancellationToken)
    {
        await guard.FillAsync(cancellationToken);
        return Sep.MoveNext();
    }

    public ValueTask DisposeAsync()
    {
        Sep.Dispose();
        text.Dispose();
        return ValueTask.CompletedTask;
    }
}

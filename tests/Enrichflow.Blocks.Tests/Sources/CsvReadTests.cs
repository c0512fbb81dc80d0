using System.Text;
using Enrichflow.Blocks.Sources;
using Enrichflow.Core.Blocks;
using static Enrichflow.Blocks.Tests.Sources.SourceTestKit;

namespace Enrichflow.Blocks.Tests.Sources;

public sealed class CsvReadTests
{
    [Fact]
    public async Task Csv_rows_are_strings_named_by_the_header()
    {
        var records = await ReadCsvAsync("name,age,city\nAda,36,London\nAlan,41,\n");

        Assert.All(records, r => Assert.Null(r.Reject));
        Assert.Equal(2, records.Count);
        var first = records[0].Row!;
        Assert.Equal(0, first.Index);
        Assert.Equal(["name", "age", "city"], first.Keys);
        Assert.Equal("36", first["age"]);
        Assert.Equal("", records[1].Row!["city"]);
        Assert.Equal(1, records[1].Row!.Index);
    }

    [Theory]
    [InlineData(',')]
    [InlineData(';')]
    [InlineData('\t')]
    [InlineData('|')]
    public async Task Delimiter_is_sniffed(char delimiter)
    {
        var d = delimiter.ToString();
        var text = $"name{d}company{d}note\nAda{d}\"Acme, Inc; {d} Ltd\"{d}x\nAlan{d}Bletchley{d}y\n";

        var records = await ReadCsvAsync(text);

        Assert.Equal(2, records.Count);
        Assert.Equal($"Acme, Inc; {d} Ltd", records[0].Row!["company"]);
        Assert.Equal("y", records[1].Row!["note"]);
    }

    [Fact]
    public async Task Sniffing_prefers_the_delimiter_that_is_consistent_across_records()
    {
        // Commas appear in every line but in different numbers; semicolons split every line in three.
        var records = await ReadCsvAsync("a;b;c\n1,5;2;x,y,z\n3;4,4;5\n");

        Assert.Equal(2, records.Count);
        Assert.Equal("1,5", records[0].Row!["a"]);
    }

    [Theory]
    [InlineData(";", ';')]
    [InlineData("tab", '\t')]
    [InlineData("\\t", '\t')]
    public async Task Configured_delimiter_is_used_instead_of_sniffing(string configured, char expected)
    {
        var text = $"a{expected}b,c\n1{expected}2,3\n";

        var records = await ReadCsvAsync(text, specsJson: $$"""{"delimiter": "{{configured.Replace("\\", "\\\\")}}"}""");

        Assert.Equal("2,3", Assert.Single(records).Row!["b,c"]);
    }

    [Fact]
    public async Task Quoted_fields_with_newlines_and_delimiters_keep_the_following_line_numbers_right()
    {
        var text = "id,note\n1,\"first line\nsecond, line\r\nthird\"\n2,plain\n3,too,many\n";

        var records = await ReadCsvAsync(text);

        Assert.Equal("first line\nsecond, line\r\nthird", records[0].Row!["note"]);
        Assert.Equal("plain", records[1].Row!["note"]);
        var reject = records[2].Reject!;
        Assert.Equal(6, reject.Line);
        Assert.Equal(2, reject.RowIndex);
    }

    [Fact]
    public async Task Escaped_quotes_are_unescaped()
    {
        var records = await ReadCsvAsync("a,b\n\"say \"\"hi\"\"\",x\n");

        Assert.Equal("say \"hi\"", Assert.Single(records).Row!["a"]);
    }

    [Fact]
    public async Task Utf8_bom_is_skipped()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("name,city\nZoë,Zürich\n")).ToArray();

        var row = Assert.Single(await ReadCsvAsync(bytes)).Row!;

        Assert.Equal(["name", "city"], row.Keys);
        Assert.Equal("Zürich", row["city"]);
    }

    [Fact]
    public async Task Duplicate_and_empty_header_names_are_renamed()
    {
        var row = Assert.Single(await ReadCsvAsync("email, email ,,name,email\n1,2,3,4,5\n")).Row!;

        Assert.Equal(["email", "email_2", "column_3", "name", "email_3"], row.Keys);
        Assert.Equal("5", row["email_3"]);
    }

    [Fact]
    public async Task Crlf_line_endings_are_read()
    {
        var records = await ReadCsvAsync("a,b\r\n1,2\r\n3,4\r\n5\r\n");

        Assert.Equal("4", records[1].Row!["b"]);
        Assert.Equal(4, records[2].Reject!.Line);
    }

    [Fact]
    public async Task Blank_lines_are_skipped_and_take_no_row_index()
    {
        var records = await ReadCsvAsync("a,b\n\n1,2\n\n\n3,4\n1,2,3\n\n");

        Assert.Equal([0L, 1L], records.Where(r => r.Row is not null).Select(r => r.Row!.Index));
        Assert.Equal(2, records[2].Reject!.RowIndex);
        Assert.Equal(7, records[2].Reject!.Line);
    }

    [Fact]
    public async Task Header_only_file_yields_no_rows()
    {
        Assert.Empty(await ReadCsvAsync("a,b,c\n"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    public async Task Empty_file_fails_even_in_lenient_mode(string text)
    {
        var e = await Assert.ThrowsAsync<SourceFormatException>(() => ReadCsvAsync(text));

        Assert.Equal("The file is empty: line 1 has no header.", e.Message);
        Assert.Equal(1, e.Line);
    }

    [Fact]
    public async Task Rows_stream_through_a_trickling_non_seekable_stream()
    {
        var block = Compile(new ReadCsvBlockType());
        var text = "a;b\n" + string.Concat(Enumerable.Range(0, 500).Select(i => $"{i};\"v{i}\"\n"));

        var records = await ReadAllAsync(block, Input(text, "x.csv", trickle: true));

        Assert.Equal(500, records.Count);
        Assert.Equal("v499", records[499].Row!["b"]);
    }

    [Fact]
    public async Task A_200000_row_csv_streams_from_a_non_seekable_stream()
    {
        var block = Compile(new ReadCsvBlockType());
        var input = new SourceInput
        {
            OpenAsync = _ => Task.FromResult<Stream>(new GeneratedCsvStream(200_000)),
            FileName = "big.csv",
        };

        long count = 0;
        long lastIndex = -1;
        await foreach (var record in block.ReadAsync(input, Context(), TestContext.Current.CancellationToken))
        {
            Assert.NotNull(record.Row);
            lastIndex = record.Row.Index;
            count++;
        }

        Assert.Equal(200_000, count);
        Assert.Equal(199_999, lastIndex);
    }

    [Fact]
    public async Task Missing_required_column_is_rejected()
    {
        var specs = """{"input_schema": {"email": {"type": "str", "required": true}}}""";

        var records = await ReadCsvAsync("name,email\nAda,ada@example.com\nAlan,\n", specsJson: specs);

        Assert.NotNull(records[0].Row);
        Assert.Equal("missing required column 'email'", records[1].Reject!.Reason);
        Assert.Equal(1, records[1].Reject!.RowIndex);
    }
}

/// <summary>Generates a CSV on the fly (never held whole): a header and <c>rows</c> records of 8 fields.</summary>
internal sealed class GeneratedCsvStream(int rows) : Stream
{
    private readonly byte[] _line = new byte[1024];
    private int _lineLength;
    private int _linePosition;
    private int _row = -1;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var written = 0;
        while (written < buffer.Length)
        {
            if (_linePosition == _lineLength)
            {
                if (_row == rows)
                {
                    break;
                }

                var text = _row < 0
                    ? string.Join(',', Enumerable.Range(0, 8).Select(c => $"col{c}")) + "\n"
                    : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{_row},name {_row},user{_row}@example.com,Acme {_row % 97},+1555{_row:D7},{_row * 3},x,\"q, {_row}\"\n");
                _lineLength = Encoding.UTF8.GetBytes(text, _line);
                _linePosition = 0;
                _row++;
            }

            var size = Math.Min(buffer.Length - written, _lineLength - _linePosition);
            _line.AsSpan(_linePosition, size).CopyTo(buffer[written..]);
            _linePosition += size;
            written += size;
        }

        return written;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

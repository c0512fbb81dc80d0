using System.Text;
using Enrichflow.Core.Blocks;
using static Enrichflow.Blocks.Tests.Sources.SourceTestKit;

namespace Enrichflow.Blocks.Tests.Sources;

public sealed class CsvMalformedTests
{
    private const string Strict = """{"strict": true}""";

    [Fact]
    public async Task Ragged_row_with_too_many_fields_is_rejected_with_its_line_number()
    {
        var records = await ReadCsvAsync("a,b\n1,2\n3,4,5\n6,7\n");

        var reject = records[1].Reject!;
        Assert.Equal("expected 2 fields, found 3", reject.Reason);
        Assert.Equal(3, reject.Line);
        Assert.Equal(1, reject.RowIndex);
        Assert.Equal("3,4,5", reject.Raw);
        Assert.Null(reject.Row);
        Assert.Equal(2, records[2].Row!.Index);
    }

    [Fact]
    public async Task Ragged_row_with_too_few_fields_is_rejected_with_its_line_number()
    {
        var records = await ReadCsvAsync("a,b,c\n1,2,3\n4\n");

        Assert.Equal("expected 3 fields, found 1", records[1].Reject!.Reason);
        Assert.Equal(3, records[1].Reject!.Line);
    }

    [Fact]
    public async Task Strict_mode_fails_at_the_first_ragged_row_naming_its_line()
    {
        var e = await Assert.ThrowsAsync<SourceFormatException>(
            () => ReadCsvAsync("a,b,c,d,e\n" + string.Concat(Enumerable.Repeat("1,2,3,4,5\n", 15)) + "1,2,3,4,5,6,7\n", specsJson: Strict));

        Assert.Equal("line 17: expected 5 fields, found 7", e.Message);
        Assert.Equal(17, e.Line);
    }

    [Fact]
    public async Task Unterminated_quote_at_end_of_file_is_one_reject_at_the_line_where_it_starts()
    {
        var records = await ReadCsvAsync("a,b\n1,2\n3,\"open\n4,5\n6,7\n");

        Assert.Equal(2, records.Count);
        var reject = records[1].Reject!;
        Assert.Equal("unterminated quoted field", reject.Reason);
        Assert.Equal(3, reject.Line);
        Assert.StartsWith("3,\"open\n4,5", reject.Raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unterminated_quote_fails_strict_mode_naming_its_line()
    {
        var e = await Assert.ThrowsAsync<SourceFormatException>(() => ReadCsvAsync("a,b\n1,2\n3,\"open\n4,5\n", specsJson: Strict));

        Assert.Equal("line 3: unterminated quoted field", e.Message);
    }

    [Fact]
    public async Task Invalid_utf8_bytes_reject_their_line()
    {
        var bytes = Concat("a,b\n1,2\n3,", [0xC3, 0x28, 0xFF], "\n4,5\n");

        var records = await ReadCsvAsync(bytes);

        Assert.Equal(3, records.Count);
        var reject = records[1].Reject!;
        Assert.Equal("the record contains invalid UTF-8 bytes", reject.Reason);
        Assert.Equal(3, reject.Line);
        Assert.Equal("3,\uFFFD(\uFFFD", reject.Raw);
        Assert.Equal("5", records[2].Row!["b"]);
    }

    [Fact]
    public async Task Invalid_utf8_bytes_fail_strict_mode_naming_the_line()
    {
        var e = await Assert.ThrowsAsync<SourceFormatException>(
            () => ReadCsvAsync(Concat("a,b\n1,", [0xFE], "\n"), specsJson: Strict));

        Assert.Equal("line 2: the record contains invalid UTF-8 bytes", e.Message);
    }

    [Fact]
    public async Task Valid_multibyte_text_is_not_mistaken_for_invalid_bytes()
    {
        var row = Assert.Single(await ReadCsvAsync("a,b\n日本,😀 ok\n")).Row!;

        Assert.Equal("😀 ok", row["b"]);
    }

    [Fact]
    public async Task Nul_byte_rejects_its_line()
    {
        var records = await ReadCsvAsync("a,b\n1,2\n3,x\0y\n4,5\n");

        Assert.Equal("the record contains a NUL byte", records[1].Reject!.Reason);
        Assert.Equal(3, records[1].Reject!.Line);
        Assert.NotNull(records[2].Row);
    }

    [Fact]
    public async Task Nul_byte_fails_strict_mode_naming_the_line()
    {
        var e = await Assert.ThrowsAsync<SourceFormatException>(() => ReadCsvAsync("a,b\n1,2\n3,\0\n", specsJson: Strict));

        Assert.Equal("line 3: the record contains a NUL byte", e.Message);
    }

    [Fact]
    public async Task Field_over_1_MiB_is_rejected_and_reading_goes_on()
    {
        var big = new string('x', 5 * 1024 * 1024);
        var records = await ReadCsvAsync($"id,notes\n1,short\n2,{big}\n3,\"quoted\nnote\"\n4,last\n");

        Assert.Equal(4, records.Count);
        var reject = records[1].Reject!;
        Assert.Equal("field 'notes' exceeds 1 MiB", reject.Reason);
        Assert.Equal(3, reject.Line);
        Assert.Equal(1024, reject.Raw!.Length);
        Assert.Equal("quoted\nnote", records[2].Row!["notes"]);
        Assert.Equal("last", records[3].Row!["notes"]);
    }

    [Fact]
    public async Task Field_over_1_MiB_fails_strict_mode_naming_the_line()
    {
        var big = new string('x', 5 * 1024 * 1024);

        var e = await Assert.ThrowsAsync<SourceFormatException>(() => ReadCsvAsync($"id,notes\n1,{big}\n", specsJson: Strict));

        Assert.Equal("line 2: field 'notes' exceeds 1 MiB", e.Message);
    }

    [Fact]
    public async Task Record_over_8_MiB_is_cut_off_before_the_parser_and_later_lines_stay_right()
    {
        // A quoted 10 MiB field with newlines inside: the guard drops it, keeping the line count.
        var big = string.Concat(Enumerable.Repeat(new string('y', 1023) + "\n", 10 * 1024));
        var records = await ReadCsvAsync($"id,notes\n1,\"{big}\"\n2,ok\n3,a,b\n");

        Assert.Equal(3, records.Count);
        Assert.Equal("record exceeds 8 MiB (Limits:MaxRecordBytes)", records[0].Reject!.Reason);
        Assert.Equal(2, records[0].Reject!.Line);
        Assert.Equal("ok", records[1].Row!["notes"]);
        Assert.Equal(1, records[1].Row!.Index);
        Assert.Equal(2 + (10 * 1024) + 2, records[2].Reject!.Line);
    }

    [Fact]
    public async Task Unterminated_quote_with_a_huge_tail_is_one_reject_at_its_line()
    {
        var tail = string.Concat(Enumerable.Repeat("5,6\n", 3 * 1024 * 1024));

        var records = await ReadCsvAsync($"a,b\n1,2\n3,\"4\n{tail}");

        Assert.Equal(2, records.Count);
        Assert.Equal("unterminated quoted field", records[1].Reject!.Reason);
        Assert.Equal(3, records[1].Reject!.Line);
    }

    [Fact]
    public async Task Unreadable_header_fails_even_in_lenient_mode()
    {
        var e = await Assert.ThrowsAsync<SourceFormatException>(() => ReadCsvAsync(Concat("a,", [0xFF], "\n1,2\n")));

        Assert.Equal(1, e.Line);
        Assert.StartsWith("line 1: the header is unreadable", e.Message, StringComparison.Ordinal);
    }

    private static byte[] Concat(string before, byte[] bytes, string after) =>
        [.. Encoding.UTF8.GetBytes(before), .. bytes, .. Encoding.UTF8.GetBytes(after)];
}

using Enrichflow.Core.Buffers;
using Enrichflow.Core.Rows;
using Enrichflow.Engine.Results;
using nietras.SeparatedValues;

namespace Enrichflow.Engine.Tests;

/// <summary>The CSV the engine writes for each chunk reads back, field for field, through Sep.</summary>
public sealed class CsvFragmentsTests
{
    private static readonly string[] Tricky =
    [
        "", "plain", "with,comma", "with \"quotes\"", "\"", "\"\"", "line\nbreak", "carriage\rreturn", "crlf\r\nend",
        " leading and trailing ", "ünïcödé ✓ 日本", "emoji 🙂", "tab\tinside", "a,\"b\"\n,c", new string('x', 5000),
    ];

    [Fact]
    public void Every_value_reads_back_through_sep_unchanged()
    {
        var rows = new List<Row>();
        for (var i = 0; i < Tricky.Length; i++)
        {
            rows.Add(new Row(i) { ["id"] = (long)i, ["value"] = Tricky[i], ["flag"] = i % 2 == 0, ["missing"] = null });
        }

        using var buffer = new PooledBuffer();
        CsvFragments.Render(buffer, ["id", "value", "flag", "missing", "absent"], rows, formulaGuard: false);

        using var reader = Sep.Reader(o => o with { Unescape = true }).From(buffer.WrittenSpan.ToArray());
        Assert.Equal(["id", "value", "flag", "missing", "absent"], reader.Header.ColNames);
        var i2 = 0;
        foreach (var row in reader)
        {
            Assert.Equal(i2.ToString(System.Globalization.CultureInfo.InvariantCulture), row["id"].ToString());
            Assert.Equal(Tricky[i2], row["value"].ToString());
            Assert.Equal(i2 % 2 == 0 ? "true" : "false", row["flag"].ToString());
            Assert.Equal("", row["missing"].ToString());
            Assert.Equal("", row["absent"].ToString());
            i2++;
        }

        Assert.Equal(Tricky.Length, i2);
    }

    [Theory]
    [InlineData("=SUM(A1)", "'=SUM(A1)")]
    [InlineData("@cmd", "'@cmd")]
    [InlineData("-12.5", "-12.5")]
    [InlineData("+1 (555) 010-0000", "+1 (555) 010-0000")]
    [InlineData("-cmd", "'-cmd")]
    [InlineData("\tx", "'\tx")]
    public void The_formula_guard_prefixes_cells_a_spreadsheet_would_run(string value, string expected)
    {
        using var buffer = new PooledBuffer();
        CsvFragments.Render(buffer, ["v"], [new Row(0) { ["v"] = value }], formulaGuard: true);
        using var reader = Sep.Reader(o => o with { Unescape = true }).From(buffer.WrittenSpan.ToArray());
        foreach (var row in reader)
        {
            Assert.Equal(expected, row["v"].ToString());
        }
    }

    [Fact]
    public void Header_length_honours_quoted_newlines()
    {
        using var buffer = new PooledBuffer();
        CsvFragments.Render(buffer, ["a\nb", "c"], [new Row(0) { ["c"] = "1" }], formulaGuard: false);
        Assert.True(CsvFragments.TryHeaderLength(buffer.WrittenSpan, out var length));
        Assert.Equal("\"a\nb\",c\n", System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan[..length]));
    }
}

using System.Text;
using Enrichflow.Blocks.Sources;
using Enrichflow.Core.Blocks;

namespace Enrichflow.Blocks.Tests.Sources;

public sealed class UploadInspectorTests
{
    private static Task<UploadInspection> InspectAsync(string text, string fileName) =>
        UploadInspector.InspectAsync(new TrickleStream(Encoding.UTF8.GetBytes(text)), fileName, InputLimits.Default, TestContext.Current.CancellationToken);

    [Fact]
    public async Task Csv_upload_reports_its_delimiter_and_header()
    {
        var inspection = await InspectAsync("\uFEFFname;email;name\nAda;ada@example.com;x\n", "people.CSV");

        Assert.Equal(UploadFormat.Csv, inspection.Format);
        Assert.Equal(';', inspection.Delimiter);
        Assert.Equal(["name", "email", "name_2"], inspection.Columns);
    }

    [Fact]
    public async Task Empty_csv_upload_is_refused_naming_line_1()
    {
        var e = await Assert.ThrowsAsync<SourceFormatException>(() => InspectAsync("", "empty.csv"));

        Assert.Equal("The file is empty: line 1 has no header.", e.Message);
        Assert.Equal(1, e.Line);
    }

    [Fact]
    public async Task Header_only_csv_upload_is_refused()
    {
        var e = await Assert.ThrowsAsync<SourceFormatException>(() => InspectAsync("a,b\n\n", "header.csv"));

        Assert.Equal("The file has no rows: nothing follows the header on line 1.", e.Message);
    }

    [Fact]
    public async Task Csv_upload_with_an_unreadable_header_is_refused_naming_the_line()
    {
        var e = await Assert.ThrowsAsync<SourceFormatException>(() => InspectAsync("\n\"a,b\n", "broken.csv"));

        Assert.Equal(2, e.Line);
    }

    [Fact]
    public async Task Json_uploads_report_the_first_objects_keys()
    {
        Assert.Equal(["a", "b"], (await InspectAsync("""[{"a": 1, "b": 2}, {"c": 3}]""", "x.json")).Columns);
        Assert.Equal(["c"], (await InspectAsync("\n{\"c\": 3}\n", "x.ndjson")).Columns);
    }

    [Theory]
    [InlineData("[]", "x.json")]
    [InlineData("\n\n", "x.jsonl")]
    [InlineData("[\"a\"]", "x.json")]
    [InlineData("{\"a\": 1", "x.jsonl")]
    [InlineData("a,b", "x.txt")]
    public async Task Unusable_json_or_unknown_uploads_are_refused(string text, string fileName)
    {
        await Assert.ThrowsAsync<SourceFormatException>(() => InspectAsync(text, fileName));
    }
}

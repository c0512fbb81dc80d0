using System.Text;
using System.Text.Json.Nodes;
using Enrichflow.Blocks.Sources;
using Enrichflow.Core.Blocks;
using static Enrichflow.Blocks.Tests.Sources.SourceTestKit;

namespace Enrichflow.Blocks.Tests.Sources;

public sealed class JsonUploadTests
{
    private const string Strict = """{"strict": true}""";

    [Fact]
    public async Task Json_array_upload_streams_objects_with_their_value_types()
    {
        var text = """[{"name": "Ada", "age": 36, "tags": ["a", "b"], "ok": true}, {"name": "Alan", "age": null}]""";

        var records = await ReadAllAsync(Compile(new ReadCsvBlockType()), Input(text, "people.json", trickle: true));

        Assert.Equal(2, records.Count);
        var ada = records[0].Row!;
        Assert.Equal(36L, ada["age"]);
        Assert.Equal(true, ada["ok"]);
        Assert.Equal("[\"a\",\"b\"]", Assert.IsAssignableFrom<JsonNode>(ada["tags"]).ToJsonString());
        Assert.Null(records[1].Row!["age"]);
        Assert.Equal(1, records[1].Row!.Index);
    }

    [Fact]
    public async Task Json_array_element_that_is_not_an_object_is_rejected_with_its_index()
    {
        var records = await ReadAllAsync(Compile(new ReadCsvBlockType()), Input("""[{"a": 1}, "oops", [1], {"a": 2}]""", "x.json"));

        Assert.Equal("element 1 is a string, not an object", records[1].Reject!.Reason);
        Assert.Equal(1, records[1].Reject!.RowIndex);
        Assert.Equal("element 2 is a list, not an object", records[2].Reject!.Reason);
        Assert.Equal(3, records[3].Row!.Index);
    }

    [Fact]
    public async Task Json_array_element_that_is_not_an_object_fails_strict_mode()
    {
        var e = await Assert.ThrowsAsync<SourceFormatException>(
            () => ReadAllAsync(Compile(new ReadCsvBlockType(), Strict), Input("""[{"a": 1}, 7]""", "x.json")));

        Assert.Equal("element 1 is a number, not an object.", e.Message);
    }

    [Fact]
    public async Task Malformed_json_array_fails_naming_the_line()
    {
        var e = await Assert.ThrowsAsync<SourceFormatException>(
            () => ReadAllAsync(Compile(new ReadCsvBlockType()), Input("[\n{\"a\": 1},\n{\"a\": }\n]", "x.json")));

        Assert.Equal(3, e.Line);
        Assert.Contains("line 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_json_file_fails()
    {
        var e = await Assert.ThrowsAsync<SourceFormatException>(
            () => ReadAllAsync(Compile(new ReadCsvBlockType()), Input("  \n", "x.json")));

        Assert.Equal(1, e.Line);
    }

    [Theory]
    [InlineData("rows.jsonl")]
    [InlineData("rows.NDJSON")]
    public async Task Jsonl_upload_reads_one_object_per_line_and_skips_blank_lines(string fileName)
    {
        var text = "{\"a\": 1}\r\n\n   \n{\"a\": \"two\", \"b\": {\"c\": 3}}\n";

        var records = await ReadAllAsync(Compile(new ReadCsvBlockType()), Input(text, fileName, trickle: true));

        Assert.Equal(2, records.Count);
        Assert.Equal(1L, records[0].Row!["a"]);
        Assert.Equal("two", records[1].Row!["a"]);
        Assert.Equal(1, records[1].Row!.Index);
    }

    [Fact]
    public async Task Jsonl_line_that_is_not_valid_json_or_not_an_object_is_rejected_with_its_line()
    {
        var text = "{\"a\": 1}\n{\"a\": \n\n[1, 2]\n{\"a\": 1} {\"a\": 2}\n{\"a\": 4}";

        var records = await ReadAllAsync(Compile(new ReadCsvBlockType()), Input(text, "x.jsonl"));

        Assert.Equal(5, records.Count);
        Assert.Equal(2, records[1].Reject!.Line);
        Assert.StartsWith("the line is not valid JSON", records[1].Reject!.Reason, StringComparison.Ordinal);
        Assert.Equal("{\"a\": ", records[1].Reject!.Raw);
        Assert.Equal((4L, "the line holds a list, not a JSON object"), (records[2].Reject!.Line!.Value, records[2].Reject!.Reason));
        Assert.Equal(5, records[3].Reject!.Line);
        Assert.Equal(4, records[4].Row!.Index);
    }

    [Fact]
    public async Task Jsonl_line_with_invalid_utf8_is_rejected()
    {
        byte[] bytes = [.. "{\"a\": \""u8, 0xFF, .. "\"}\n{\"a\": 2}\n"u8];

        var records = await ReadAllAsync(Compile(new ReadCsvBlockType()), Input(bytes, "x.jsonl"));

        Assert.Equal("the line contains invalid UTF-8 bytes", records[0].Reject!.Reason);
        Assert.Equal(2L, records[1].Row!["a"]);
    }

    [Fact]
    public async Task Jsonl_bad_line_fails_strict_mode_naming_the_line()
    {
        var e = await Assert.ThrowsAsync<SourceFormatException>(
            () => ReadAllAsync(Compile(new ReadCsvBlockType(), Strict), Input("{\"a\": 1}\n\n\"x\"\n", "x.ndjson")));

        Assert.Equal("line 3: the line holds a string, not a JSON object", e.Message);
        Assert.Equal(3, e.Line);
    }

    [Fact]
    public async Task Jsonl_line_over_the_record_limit_is_rejected_without_buffering_it()
    {
        var text = "{\"a\": \"" + new string('x', 9 * 1024 * 1024) + "\"}\n{\"a\": 2}\n";

        var records = await ReadAllAsync(Compile(new ReadCsvBlockType()), Input(Encoding.UTF8.GetBytes(text), "x.jsonl"));

        Assert.Equal("line exceeds 8 MiB (Limits:MaxRecordBytes)", records[0].Reject!.Reason);
        Assert.Equal(1, records[0].Reject!.Line);
        Assert.Equal(2L, records[1].Row!["a"]);
    }
}

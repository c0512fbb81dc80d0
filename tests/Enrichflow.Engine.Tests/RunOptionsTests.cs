using System.Text.Json;
using Enrichflow.Core.Storage;
using Enrichflow.Engine;

namespace Enrichflow.Engine.Tests;

public sealed class RunOptionsTests
{
    [Fact]
    public void Result_formats_are_stored_by_their_wire_names_and_read_back()
    {
        var options = new RunOptions { InputBlobKey = "k", Formats = [ResultFormat.Csv, ResultFormat.Ndjson, ResultFormat.Json] };

        var json = options.ToJson();

        Assert.Equal(["csv", "ndjson", "json"], JsonDocument.Parse(json).RootElement.GetProperty("formats").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(options.Formats, RunOptions.FromJson(json).Formats);
    }

    [Fact]
    public void Options_stored_before_the_enum_still_read()
    {
        var options = RunOptions.FromJson("""{"formats":["csv","json"],"input_blob_key":"runs/x/input/payload.json","chunk_size":1000}""");

        Assert.Equal([ResultFormat.Csv, ResultFormat.Json], options.Formats);
    }

    [Theory]
    [InlineData("csv", ResultFormat.Csv, "text/csv; charset=utf-8")]
    [InlineData("JSON", ResultFormat.Json, "application/json")]
    [InlineData("NdJson", ResultFormat.Ndjson, "application/x-ndjson")]
    public void A_wire_name_in_any_case_names_its_format(string name, ResultFormat format, string contentType)
    {
        Assert.Equal(format, ResultFormats.Parse(name));
        Assert.Equal(name.ToLowerInvariant(), format.ToWire());
        Assert.Equal(contentType, format.ContentType());
    }

    [Fact]
    public void Other_names_are_no_format()
    {
        Assert.Null(ResultFormats.Parse("xml"));
        Assert.Null(ResultFormats.Parse("rejects"));
        Assert.Null(ResultFormats.Parse(null));
        Assert.Throws<JsonException>(() => RunOptions.FromJson("""{"formats":["xml"],"input_blob_key":"k"}"""));
    }
}

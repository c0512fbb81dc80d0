using System.Text;
using Enrichflow.Blocks.Sources;
using Enrichflow.Core.Blocks;

namespace Enrichflow.Blocks.Tests.Sources;

public sealed class WebhookPayloadReaderTests
{
    private static async Task<List<PayloadElement>> ReadAsync(Stream body)
    {
        var elements = new List<PayloadElement>();
        await foreach (var element in WebhookPayloadReader.ReadAsync(body, InputLimits.Default.MaxRecordBytes, TestContext.Current.CancellationToken))
        {
            elements.Add(element);
        }

        return elements;
    }

    private static Stream Trickle(string json) => new TrickleStream(Encoding.UTF8.GetBytes(json));

    private static Task<PayloadScan> ScanAsync(string json) =>
        WebhookPayloadReader.ScanAsync(Trickle(json), InputLimits.Default.MaxRecordBytes, TestContext.Current.CancellationToken);

    [Fact]
    public async Task Payload_split_across_tiny_reads_yields_every_element_in_order()
    {
        var items = string.Join(",", Enumerable.Range(0, 300).Select(i => $$$"""{"id": {{{i}}}, "email": "u{{{i}}}@example.com", "nested": {"k": [1, 2, {"x": null}]}}"""));
        var json = $$"""{"specs_override": {"a": 1}, "webhook_payload": [{{items}}], "other": [1, 2]}""";

        var elements = await ReadAsync(Trickle(json));

        Assert.Equal(300, elements.Count);
        Assert.All(elements, (e, i) =>
        {
            Assert.Equal(i, e.Index);
            Assert.Equal((long)i, e.Row!["id"]);
            Assert.Equal(i, e.Row!.Index);
        });
    }

    [Fact]
    public async Task Element_larger_than_the_initial_buffer_is_read_whole()
    {
        var big = new string('z', 300_000);
        var json = $$"""{"webhook_payload": [{"id": 1}, {"id": 2, "blob": "{{big}}"}, {"id": 3}]}""";

        var elements = await ReadAsync(new NonSeekableStream(new MemoryStream(Encoding.UTF8.GetBytes(json))));

        Assert.Equal(3, elements.Count);
        Assert.Equal(big, elements[1].Row!["blob"]);
        Assert.Equal(3L, elements[2].Row!["id"]);
    }

    [Fact]
    public async Task Large_element_arriving_in_tiny_reads_is_read_whole()
    {
        var big = new string('q', 100_000);

        var elements = await ReadAsync(Trickle($$"""{"webhook_payload": [{"blob": "{{big}}"}]}"""));

        Assert.Equal(big, Assert.Single(elements).Row!["blob"]);
    }

    [Fact]
    public async Task Single_object_payload_is_one_row()
    {
        var element = Assert.Single(await ReadAsync(Trickle("""{"webhook_payload": {"email": "a@b.co"}}""")));

        Assert.Equal(0, element.Index);
        Assert.Equal("a@b.co", element.Row!["email"]);
    }

    [Fact]
    public async Task Non_object_element_is_reported_with_its_index()
    {
        var elements = await ReadAsync(Trickle("""{"webhook_payload": [{"a": 1}, {"a": 2}, "three", {"a": 4}]}"""));

        Assert.False(elements[2].IsObject);
        Assert.Equal("element 2 is a string, not an object", elements[2].Problem);
        Assert.Equal(4L, elements[3].Row!["a"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("{}")]
    [InlineData("""{"webhook_payload": null, "x": {"y": [1, 2]}}""")]
    public async Task Body_without_a_payload_yields_nothing(string json)
    {
        Assert.Empty(await ReadAsync(Trickle(json)));
        var scan = await ScanAsync(json);
        Assert.False(scan.PayloadPresent);
        Assert.Equal(0, scan.ElementCount);
    }

    [Fact]
    public async Task Scan_counts_elements_and_captures_specs_override_and_cache_config()
    {
        var json = """
            {"cache_config": {"enabled": false, "ttl_days": 3},
             "webhook_payload": [{"a": {"deep": [1, {"b": 2}]}}, {"a": 2}, {"a": 3}],
             "ignored": {"big": [1, 2, 3]},
             "specs_override": {"resource_handle_id": "h", "delimiter": ";"}}
            """;

        var scan = await ScanAsync(json);

        Assert.Equal(3, scan.ElementCount);
        Assert.True(scan.PayloadPresent);
        Assert.Null(scan.FirstNonObjectIndex);
        Assert.Equal("""{"resource_handle_id": "h", "delimiter": ";"}""", scan.SpecsOverrideJson);
        Assert.Equal("""{"enabled": false, "ttl_days": 3}""", scan.CacheConfigJson);
    }

    [Fact]
    public async Task Scan_of_a_single_object_payload_counts_one()
    {
        var scan = await ScanAsync("""{"webhook_payload": {"a": [1, 2]}}""");

        Assert.Equal(1, scan.ElementCount);
        Assert.True(scan.PayloadPresent);
    }

    [Fact]
    public async Task Scan_reports_the_first_element_that_is_not_an_object()
    {
        var scan = await ScanAsync("""{"webhook_payload": [{"a": 1}, {"b": 2}, [3], 4, {"c": 5}]}""");

        Assert.Equal(5, scan.ElementCount);
        Assert.Equal(2, scan.FirstNonObjectIndex);
        Assert.Equal("a list", scan.FirstNonObjectKind);
    }

    [Theory]
    [InlineData("""{"webhook_payload": [{"a": 1}, {"a": }]}""", 36)]
    [InlineData("""{"webhook_payload": [{"a": 1}""", 29)]
    [InlineData("""{"webhook_payload": [{"a": 1}]} x""", 32)]
    [InlineData("""[{"a": 1}]""", 0)]
    [InlineData("""{"webhook_payload": "rows"}""", 20)]
    public async Task Scan_of_a_malformed_body_throws_naming_the_byte_position(string json, long position)
    {
        var e = await Assert.ThrowsAsync<PayloadFormatException>(() => ScanAsync(json));

        Assert.Contains($"byte {e.BytePosition}", e.Message, StringComparison.Ordinal);
        Assert.InRange(e.BytePosition, position - 3, position + 3);
    }

    [Fact]
    public async Task Duplicate_payload_property_is_refused()
    {
        var e = await Assert.ThrowsAsync<PayloadFormatException>(() => ScanAsync("""{"webhook_payload": [], "webhook_payload": [{}]}"""));

        Assert.Contains("webhook_payload appears more than once", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_skips_a_large_unknown_property_without_holding_it()
    {
        var big = string.Join(",", Enumerable.Range(0, 50_000).Select(i => $"[{i}, \"v\"]"));

        var scan = await ScanAsync($$"""{"notes": [{{big}}], "webhook_payload": [{}, {}]}""");

        Assert.Equal(2, scan.ElementCount);
    }
}

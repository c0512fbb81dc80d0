using System.Text;
using Enrichflow.Blocks.Sources;
using Enrichflow.Core.Blocks;
using static Enrichflow.Blocks.Tests.Sources.SourceTestKit;

namespace Enrichflow.Blocks.Tests.Sources;

/// <summary>
/// Every reader caps a record at <c>Limits:MaxRecordBytes</c> (docs/api.md §4): the JSON array and webhook readers
/// reject an oversized element by index and read on, a scan or an upload inspection refuses it, naming it.
/// </summary>
public sealed class RecordCapTests
{
    private const int Cap = 64 * 1024;

    private static readonly InputLimits Limits = new() { MaxRecordBytes = Cap };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>An object over the cap whose strings hold quotes, backslashes and brackets, as a byte-level skip must follow them.</summary>
    private static string Tricky(int size) =>
        "{\"big\": \"a \\\" } ] \\\\\", \"nested\": [{\"q\": \"\\\\\"}, [1, {\"r\": \"]}\"}]], \"pad\": \"" + new string('x', size) + "\"}";

    [Fact]
    public async Task Json_array_element_over_the_cap_is_rejected_by_index_and_the_next_elements_still_read()
    {
        var text = $$"""[{"a": 1}, {{Tricky(3 * Cap)}}, "{{new string('y', 3 * Cap)}}", 123{{new string('4', 2 * Cap)}}, {"a": 2}]""";

        var records = await ReadAllAsync(Compile(new ReadCsvBlockType(), limits: Limits), Input(text, "x.json", trickle: false));

        Assert.Equal(5, records.Count);
        Assert.Equal(1L, records[0].Row!["a"]);
        Assert.Equal("element 1 is larger than 64 KiB (Limits:MaxRecordBytes)", records[1].Reject!.Reason);
        Assert.Equal(1, records[1].Reject!.RowIndex);
        Assert.Equal("element 2 is larger than 64 KiB (Limits:MaxRecordBytes)", records[2].Reject!.Reason);
        Assert.Equal("element 3 is larger than 64 KiB (Limits:MaxRecordBytes)", records[3].Reject!.Reason);
        Assert.Equal(2L, records[4].Row!["a"]);
        Assert.Equal(4, records[4].Row!.Index);
    }

    [Fact]
    public async Task Json_array_element_over_the_cap_split_across_tiny_reads_is_skipped_the_same_way()
    {
        var text = $$"""[{{Tricky(2 * Cap)}}, {"a": 2}]""";

        var records = await ReadAllAsync(Compile(new ReadCsvBlockType(), limits: Limits), Input(text, "x.json", trickle: true));

        Assert.Equal("element 0 is larger than 64 KiB (Limits:MaxRecordBytes)", records[0].Reject!.Reason);
        Assert.Equal(2L, records[1].Row!["a"]);
    }

    [Fact]
    public async Task Json_array_element_over_the_cap_fails_a_strict_read_naming_the_element()
    {
        var text = $$"""[{"a": 1}, {{Tricky(2 * Cap)}}]""";

        var e = await Assert.ThrowsAsync<SourceFormatException>(
            () => ReadAllAsync(Compile(new ReadCsvBlockType(), """{"strict": true}""", Limits), Input(text, "x.json")));

        Assert.Equal("element 1 is larger than 64 KiB (Limits:MaxRecordBytes).", e.Message);
        Assert.True(e.TooLarge);
    }

    [Fact]
    public async Task A_huge_json_upload_streams_through_with_its_one_huge_element_rejected()
    {
        // 64 MiB of one string value against the default 8 MiB cap, generated as it is read (never in memory whole).
        await using var stream = new GeneratedStream("[{\"v\": \""u8.ToArray(), (byte)'x', 64L * 1024 * 1024, "\"}, {\"a\": 2}]"u8.ToArray());
        var input = new SourceInput { OpenAsync = _ => Task.FromResult<Stream>(stream), FileName = "huge.json" };

        var records = await ReadAllAsync(Compile(new ReadCsvBlockType()), input);

        Assert.Equal("element 0 is larger than 8 MiB (Limits:MaxRecordBytes)", records[0].Reject!.Reason);
        Assert.Equal(2L, records[1].Row!["a"]);
    }

    [Fact]
    public async Task Csv_record_over_a_configured_cap_is_rejected_naming_its_line()
    {
        var text = "name,note\nann,short\nbob," + new string('z', 2 * Cap) + "\ncy,ok\n";

        var records = await ReadAllAsync(Compile(new ReadCsvBlockType(), limits: Limits), Input(text, "x.csv"));

        Assert.Equal("record exceeds 64 KiB (Limits:MaxRecordBytes)", records[1].Reject!.Reason);
        Assert.Equal(3, records[1].Reject!.Line);
        Assert.Equal("cy", records[2].Row!["name"]);
    }

    [Fact]
    public async Task Jsonl_line_over_a_configured_cap_is_rejected_naming_its_line()
    {
        var text = "{\"a\": 1}\n{\"a\": \"" + new string('z', 2 * Cap) + "\"}\n{\"a\": 3}\n";

        var records = await ReadAllAsync(Compile(new ReadCsvBlockType(), limits: Limits), Input(text, "x.jsonl"));

        Assert.Equal("line exceeds 64 KiB (Limits:MaxRecordBytes)", records[1].Reject!.Reason);
        Assert.Equal(2, records[1].Reject!.Line);
        Assert.Equal(3L, records[2].Row!["a"]);
    }

    [Theory]
    [InlineData("string")]
    [InlineData("object")]
    [InlineData("many-small-tokens")]
    public async Task Webhook_scan_refuses_an_element_over_the_cap_naming_its_index(string kind)
    {
        var big = kind switch
        {
            "string" => $"\"{new string('s', 2 * Cap)}\"",
            "object" => Tricky(2 * Cap),
            _ => "{" + string.Join(", ", Enumerable.Range(0, Cap / 4).Select(i => $"\"k{i}\": {i}")) + "}",
        };
        var json = $$"""{"webhook_payload": [{"a": 1}, {{big}}, {"a": 3}]}""";

        var e = await Assert.ThrowsAsync<PayloadFormatException>(
            () => WebhookPayloadReader.ScanAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)), Cap, Ct));

        Assert.True(e.TooLarge);
        Assert.StartsWith("webhook_payload[1] (at byte ", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("is larger than 64 KiB (Limits:MaxRecordBytes).", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_scan_refuses_another_property_over_the_cap_naming_the_byte()
    {
        var json = $$"""{"note": "{{new string('n', 2 * Cap)}}", "webhook_payload": [{"a": 1}]}""";

        var e = await Assert.ThrowsAsync<PayloadFormatException>(
            () => WebhookPayloadReader.ScanAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)), Cap, Ct));

        Assert.True(e.TooLarge);
        Assert.Contains("larger than 64 KiB (Limits:MaxRecordBytes)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_scan_takes_elements_up_to_the_cap()
    {
        var json = $$"""{"webhook_payload": [{"a": "{{new string('s', Cap - 16)}}"}, {"a": 2}]}""";

        var scan = await WebhookPayloadReader.ScanAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)), Cap, Ct);

        Assert.Equal(2, scan.ElementCount);
    }

    [Fact]
    public async Task Webhook_read_yields_an_element_over_the_cap_as_too_large_and_reads_on()
    {
        var json = $$"""{"webhook_payload": [{"a": 1}, {{Tricky(2 * Cap)}}, {"a": 3}], "after": true}""";

        var elements = new List<PayloadElement>();
        await foreach (var element in WebhookPayloadReader.ReadAsync(new TrickleStream(Encoding.UTF8.GetBytes(json)), Cap, Ct))
        {
            elements.Add(element);
        }

        Assert.Equal(3, elements.Count);
        Assert.True(elements[1].TooLarge);
        Assert.Equal("webhook_payload[1] is larger than 64 KiB (Limits:MaxRecordBytes)", elements[1].Problem);
        Assert.Equal(3L, elements[2].Row!["a"]);
        Assert.Equal(2, elements[2].Index);
    }

    [Theory]
    [InlineData("x.json", "element 0 is larger than 64 KiB")]
    [InlineData("x.jsonl", "line 1: line exceeds 64 KiB")]
    [InlineData("x.csv", "line 2: record exceeds 64 KiB")]
    public async Task Upload_inspection_refuses_a_first_record_over_the_cap(string fileName, string message)
    {
        var big = new string('q', 2 * Cap);
        var text = fileName switch
        {
            "x.json" => $$"""[{"v": "{{big}}"}]""",
            "x.jsonl" => $$"""{"v": "{{big}}"}""" + "\n",
            _ => "name,v\nann," + big + "\n",
        };

        var e = await Assert.ThrowsAsync<SourceFormatException>(
            () => UploadInspector.InspectAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), fileName, Limits, Ct));

        Assert.True(e.TooLarge);
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_inspection_refuses_a_csv_header_over_the_cap()
    {
        var text = "name," + new string('h', 2 * Cap) + "\nann,1\n";

        var e = await Assert.ThrowsAsync<SourceFormatException>(
            () => UploadInspector.InspectAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), "x.csv", Limits, Ct));

        Assert.True(e.TooLarge);
        Assert.StartsWith("line 1: the header is unreadable: record exceeds 64 KiB", e.Message, StringComparison.Ordinal);
    }
}

/// <summary>A read-only stream of a prefix, <c>count</c> copies of one byte, then a suffix, made as it is read.</summary>
internal sealed class GeneratedStream(byte[] prefix, byte fill, long count, byte[] suffix) : Stream
{
    private long _position;

    private long Total => prefix.Length + count + suffix.Length;

    public override int Read(byte[] buffer, int offset, int count1) => Read(buffer.AsSpan(offset, count1));

    public override int Read(Span<byte> buffer)
    {
        var written = 0;
        while (written < buffer.Length && _position < Total)
        {
            var span = buffer[written..];
            int n;
            if (_position < prefix.Length)
            {
                n = Math.Min(span.Length, prefix.Length - (int)_position);
                prefix.AsSpan((int)_position, n).CopyTo(span);
            }
            else if (_position < prefix.Length + count)
            {
                n = (int)Math.Min(span.Length, prefix.Length + count - _position);
                span[..n].Fill(fill);
            }
            else
            {
                var at = (int)(_position - prefix.Length - count);
                n = Math.Min(span.Length, suffix.Length - at);
                suffix.AsSpan(at, n).CopyTo(span);
            }

            written += n;
            _position += n;
        }

        return written;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count1, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count1));

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count1) => throw new NotSupportedException();
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using Enrichflow.Blocks.Sources;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;
using static Enrichflow.Blocks.Tests.Sources.SourceTestKit;

namespace Enrichflow.Blocks.Tests.Sources;

/// <summary>The source read path over inputs larger than its read-ahead, and its shared strings.</summary>
public sealed class SourceReadPathTests
{
    private static readonly string[] Cities = [.. Enumerable.Range(0, 300).Select(i => $"city{i}")];

    [Fact]
    public async Task A_csv_larger_than_the_read_ahead_keeps_every_value_and_every_reject_line()
    {
        var (bytes, expected) = Leads(80_000, badEvery: 7919);
        Assert.True(bytes.Length > 2 * CsvRecordGuard.ReadAheadBytes);

        var records = await ReadAllAsync(Compile(new ReadCsvBlockType()), Input(bytes, "leads.csv"));

        Assert.Equal(expected.Count, records.Count);
        for (var i = 0; i < records.Count; i++)
        {
            var (line, values) = expected[i];
            if (values is null)
            {
                Assert.Equal("expected 4 fields, found 2", records[i].Reject!.Reason);
                Assert.Equal(line, records[i].Reject!.Line);
                continue;
            }

            var row = records[i].Row!;
            Assert.Equal(i, row.Index);
            Assert.Equal(["id", "city", "email", "note"], row.Keys);
            Assert.Equal(values, row.Values.Cast<string>());
        }
    }

    [Fact]
    public async Task A_stream_that_only_reads_asynchronously_is_never_read_synchronously()
    {
        var (bytes, expected) = Leads(30_000, badEvery: 0);
        var input = new SourceInput { OpenAsync = _ => Task.FromResult<Stream>(new AsyncOnlyStream(bytes)), FileName = "leads.csv" };

        var records = await ReadAllAsync(Compile(new ReadCsvBlockType()), input);

        Assert.Equal(expected.Count, records.Count);
        Assert.Equal(expected[^1].Values, records[^1].Row!.Values.Cast<string>());
    }

    [Fact]
    public async Task A_record_over_half_the_read_ahead_is_read_whole()
    {
        var note = new string('n', CsvRecordGuard.ReadAheadBytes * 3 / 4);
        var text = $"id,note\n1,\"{note}\"\n2,short\n";
        var records = await ReadAllAsync(Compile(new ReadCsvBlockType()), Input(text, "upload.csv", trickle: true));

        Assert.Equal(note, records[0].Row!["note"]);
        Assert.Equal("short", records[1].Row!["note"]);
    }

    [Fact]
    public void Pooled_values_equal_their_text_whatever_repeats()
    {
        var pool = new ValuePool(1);
        var random = new Random(7);
        for (var i = 0; i < 200_000; i++)
        {
            // Phases of repeated values (pooled) and of unique ones (the column pauses, then tries again).
            var text = (i / 20_000 % 2 == 0) ? Cities[random.Next(Cities.Length)] : $"u{i}";
            Assert.Equal(text, pool.Get(0, text.AsSpan()));
        }

        var fresh = new ValuePool(1);
        Assert.Same(fresh.Get(0, "city1"), fresh.Get(0, "city1"));
        Assert.Equal("", fresh.Get(0, ""));
    }

    [Fact]
    public void Json_rows_equal_what_RowValues_reads()
    {
        string[] objects =
        [
            """{"a": "x", "b": 1, "c": null}""",
            """{"a": "x", "b": 2.5, "c": true}""",
            """{"b": "x", "a": "y"}""",
            """{"a\u0062": "escaped key", "ab": "same key twice", "a": "t\u00e9"}""",
            """{"a": "1", "a": "2", "b": [1, {"c": "d"}], "d": {"e": "f"}}""",
            """{"a": "a value much longer than the pool's thirty-two bytes"}""",
            """{}""",
            """{"a": "x", "b": 1, "c": null, "d": "new"}""",
        ];
        var reader = new JsonRowReader();
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < objects.Length; i++)
            {
                var bytes = Encoding.UTF8.GetBytes(objects[i]);
                var expected = ReadWith(bytes, (ref Utf8JsonReader r) => RowValues.ReadRow(ref r, i));
                var actual = ReadWith(bytes, (ref Utf8JsonReader r) => reader.Read(ref r, i));

                Assert.Equal(expected.Keys, actual.Keys);
                Assert.Equal(expected.Values.Select(RowValues.ToText), actual.Values.Select(RowValues.ToText));
                Assert.Equal(expected.Values.Select(v => v?.GetType()), actual.Values.Select(v => v?.GetType()));
            }
        }
    }

    [Fact]
    public async Task A_lone_surrogate_in_a_jsonl_value_is_rejected_as_before()
    {
        var text = "{\"a\": \"x\"}\n{\"a\": \"x\"}\n{\"a\": \"\\ud800\"}\n{\"a\": \"x\"}\n";

        var records = await ReadAllAsync(Compile(new ReadCsvBlockType()), Input(text, "upload.jsonl"));

        Assert.Equal(["x", "x"], records.Take(2).Select(r => (string)r.Row!["a"]!));
        Assert.Equal(3, records[2].Reject!.Line);
        Assert.StartsWith("the line is not valid JSON:", records[2].Reject!.Reason, StringComparison.Ordinal);
        Assert.Equal("x", records[3].Row!["a"]);
    }

    private delegate Row ReadRow(ref Utf8JsonReader reader);

    private static Row ReadWith(byte[] json, ReadRow read)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        var row = read(ref reader);
        Assert.Equal(JsonTokenType.EndObject, reader.TokenType);
        return row;
    }

    /// <summary>CSV leads (id, city from 300, unique email, note); every <paramref name="badEvery"/>th record is ragged.</summary>
    private static (byte[] Bytes, List<(long Line, string[]? Values)> Expected) Leads(int count, int badEvery)
    {
        var text = new StringBuilder("id,city,email,note\n");
        var expected = new List<(long, string[]?)>();
        var random = new Random(11);
        for (var i = 0; i < count; i++)
        {
            var line = i + 2L;
            if (badEvery > 0 && i % badEvery == badEvery - 1)
            {
                text.Append(CultureInfo.InvariantCulture, $"{i},ragged\n");
                expected.Add((line, null));
                continue;
            }

            string[] values = [i.ToString(CultureInfo.InvariantCulture), Cities[random.Next(Cities.Length)], $"lead{i}@example.com", i % 3 == 0 ? "" : "note, quoted"];
            text.Append(CultureInfo.InvariantCulture, $"{values[0]},{values[1]},{values[2]},{(values[3].Length > 0 ? "\"" + values[3] + "\"" : "")}\n");
            expected.Add((line, values));
        }

        return (Encoding.UTF8.GetBytes(text.ToString()), expected);
    }

    /// <summary>A stream that fails any synchronous read, the way a remote blob stream should never be read per row.</summary>
    private sealed class AsyncOnlyStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes);

        public override int Read(byte[] buffer, int offset, int count) => throw new InvalidOperationException("read synchronously");

        public override int Read(Span<byte> buffer) => throw new InvalidOperationException("read synchronously");

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            return _inner.Read(buffer.Span[..Math.Min(buffer.Length, 100_000)]);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

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
}

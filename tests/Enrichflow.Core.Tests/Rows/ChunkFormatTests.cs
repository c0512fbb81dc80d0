using System.Text.Json.Nodes;
using Enrichflow.Core.Buffers;
using Enrichflow.Core.Rows;

namespace Enrichflow.Core.Tests.Rows;

public sealed class ChunkFormatTests
{
    private static List<Row> PinnedRows() =>
    [
        new(7) { ["name"] = "Ada", ["country"] = "US", ["score"] = 42L, ["ratio"] = 0.5, ["ok"] = true, ["mx"] = null },
        new(8) { ["country"] = "DE", ["name"] = "Zoë", ["tags"] = new JsonArray("a", 1), ["ok"] = false },
    ];

    // The bytes the EFC2 writer has always produced for PinnedRows (stored chunks of a run resumed after an upgrade still parse).
    private const string PinnedBytes =
        "45464332030000000200000007046E616D6507636F756E7472790573636F726505726174696F026F6B026D7804746167730706000103416461010102555302022A000000000000000303000000000000E03F04040500080401010244450001045A6FC3AB0606075B2261222C315D0405";

    [Fact]
    public void A_chunk_is_written_in_the_same_EFC2_bytes_as_before()
    {
        using var buffer = new PooledBuffer(16);
        ChunkFormat.Write(buffer, new RowChunk(3, PinnedRows()));
        Assert.Equal(PinnedBytes, Convert.ToHexString(buffer.WrittenSpan));
    }

    [Fact]
    public void Stored_EFC2_bytes_read_back_as_the_rows_written()
    {
        var chunk = ChunkFormat.Parse(Convert.FromHexString(PinnedBytes));
        Assert.Equal(3, chunk.Index);
        Assert.Equal(["name", "country", "score", "ratio", "ok", "mx", "tags"], chunk.Columns());
        Assert.Equal(Ndjson(PinnedRows()), Ndjson(chunk.Rows));
        Assert.Equal([7L, 8L], chunk.Rows.Select(r => r.Index));
        Assert.Equal(["country", "name", "tags", "ok"], chunk.Rows[1].Keys);
    }

    [Fact]
    public void Text_of_every_length_and_script_reads_back_as_written()
    {
        // Around the lengths where the writer switches between short and long strings, in 1-, 2-, 3- and 4-byte UTF-8.
        var texts = new List<string> { "", "a\u0000b" };
        foreach (var unit in new[] { "a", "é", "€", "😀" })
        {
            foreach (var count in new[] { 1, 41, 42, 43, 63, 64, 127, 128, 5000, 70_000 })
            {
                texts.Add(string.Concat(Enumerable.Repeat(unit, count)));
            }
        }

        var rows = texts.Select((text, i) => new Row(i) { ["text"] = text, ["again"] = text }).ToList();
        var read = RoundTrip(new RowChunk(0, rows));

        Assert.Equal(Ndjson(rows), Ndjson(read.Rows));
        Assert.Equal(texts.Count, read.Count);
    }

    [Fact]
    public void Values_repeated_down_a_column_read_back_equal_and_unrepeated_ones_too()
    {
        var rows = Enumerable.Range(0, 500).Select(i => new Row(i)
        {
            ["country"] = i % 3 == 0 ? "US" : i % 3 == 1 ? "DE" : "FR",
            ["email"] = $"person{i}@example.com",
            ["status"] = i % 2 == 0 ? "valid" : "invalid",
        }).ToList();

        var read = RoundTrip(new RowChunk(0, rows));

        Assert.Equal(rows.Select(r => (string?)r["email"]), read.Rows.Select(r => (string?)r["email"]));
        Assert.Equal(rows.Select(r => (string?)r["country"]), read.Rows.Select(r => (string?)r["country"]));
        Assert.Equal(rows.Select(r => (string?)r["status"]), read.Rows.Select(r => (string?)r["status"]));
    }

    [Fact]
    public void Rows_with_other_columns_or_orders_keep_their_own()
    {
        var rows = new List<Row>
        {
            new(0) { ["a"] = "1", ["b"] = 2L },
            new(1) { ["b"] = 3.5, ["a"] = null, ["c"] = true },
            new(2) { ["c"] = new JsonObject { ["x"] = 1 } },
            new(3),
        };

        var read = RoundTrip(new RowChunk(5, rows));

        Assert.Equal(["a", "b", "c"], read.Columns());
        Assert.Equal(["b", "a", "c"], read.Rows[1].Keys);
        Assert.Equal(Ndjson(rows), Ndjson(read.Rows));
        Assert.IsType<JsonObject>(read.Rows[2]["c"]);
    }

    [Fact]
    public void An_int_is_stored_as_an_int64_and_other_values_as_their_text()
    {
        var read = RoundTrip(new RowChunk(0, [new Row(0) { ["i"] = 5, ["m"] = 1.25m }]));

        Assert.Equal(5L, read.Rows[0]["i"]);
        Assert.Equal("1.25", read.Rows[0]["m"]);
    }

    [Fact]
    public void Bytes_that_are_not_EFC2_are_refused()
    {
        var e = Assert.Throws<InvalidDataException>(() => ChunkFormat.Parse("EFC9\0\0\0\0\0\0\0\0"u8));
        Assert.Contains("EFC2", e.Message, StringComparison.Ordinal);
    }

    private static RowChunk RoundTrip(RowChunk chunk)
    {
        using var buffer = new PooledBuffer(16);
        ChunkFormat.Write(buffer, chunk);
        return ChunkFormat.Parse(buffer.WrittenSpan);
    }

    private static string Ndjson(IReadOnlyList<Row> rows)
    {
        using var buffer = new PooledBuffer(1024);
        ChunkFormat.WriteNdjson(buffer, rows);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}

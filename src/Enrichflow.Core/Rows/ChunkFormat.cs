using System.Buffers;
using System.Text.Json;

namespace Enrichflow.Core.Rows;

/// <summary>
/// The stored form of a chunk: NDJSON whose first line is a header
/// <c>{"chunk":7,"rows":1000,"columns":[...],"index":[...]}</c> and whose other lines are the rows exactly as
/// they appear in a block's NDJSON result file, so assembling that file is a byte copy.
/// </summary>
public static class ChunkFormat
{
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    public static async Task WriteAsync(Stream destination, RowChunk chunk, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteHeader(writer, chunk);
        }

        buffer.Write("\n"u8);
        foreach (var row in chunk.Rows)
        {
            using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            {
                RowValues.WriteRow(writer, row);
            }

            buffer.Write("\n"u8);
            if (buffer.WrittenCount > 1024 * 1024)
            {
                await destination.WriteAsync(buffer.WrittenMemory, cancellationToken);
                buffer.ResetWrittenCount();
            }
        }

        await destination.WriteAsync(buffer.WrittenMemory, cancellationToken);
    }

    private static void WriteHeader(Utf8JsonWriter writer, RowChunk chunk)
    {
        writer.WriteStartObject();
        writer.WriteNumber("chunk", chunk.Index);
        writer.WriteNumber("rows", chunk.Count);
        writer.WriteStartArray("columns");
        foreach (var column in chunk.Columns())
        {
            writer.WriteStringValue(column);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("index");
        foreach (var row in chunk.Rows)
        {
            writer.WriteNumberValue(row.Index);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public static async Task<RowChunk> ReadAsync(Stream source, CancellationToken cancellationToken)
    {
        var bytes = await ReadAllAsync(source, cancellationToken);
        return Parse(bytes.Span);
    }

    public static RowChunk Parse(ReadOnlySpan<byte> bytes)
    {
        var newline = bytes.IndexOf((byte)'\n');
        var headerBytes = newline < 0 ? bytes : bytes[..newline];
        var header = ParseHeader(headerBytes);
        var rows = new List<Row>(header.Rows);
        var rest = newline < 0 ? [] : bytes[(newline + 1)..];
        var i = 0;
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 1)..];
            if (line.IsEmpty)
            {
                continue;
            }

            var reader = new Utf8JsonReader(line);
            reader.Read();
            var index = i < header.Index.Length ? header.Index[i] : i;
            rows.Add(RowValues.ReadRow(ref reader, index));
            i++;
        }

        return new RowChunk(header.Chunk, rows);
    }

    /// <summary>Reads only the header line of a stored chunk.</summary>
    public static async Task<ChunkHeader> ReadHeaderAsync(Stream source, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        var scratch = new byte[4096];
        while (true)
        {
            var read = await source.ReadAsync(scratch, cancellationToken);
            if (read == 0)
            {
                return ParseHeader(buffer.WrittenSpan);
            }

            var newline = scratch.AsSpan(0, read).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                buffer.Write(scratch.AsSpan(0, newline));
                return ParseHeader(buffer.WrittenSpan);
            }

            buffer.Write(scratch.AsSpan(0, read));
        }
    }

    /// <summary>Copies the row lines of a stored chunk (everything after the header) to <paramref name="destination"/>.</summary>
    public static async Task<long> CopyRowsAsync(Stream source, Stream destination, CancellationToken cancellationToken)
    {
        var scratch = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            long copied = 0;
            var inHeader = true;
            int read;
            while ((read = await source.ReadAsync(scratch, cancellationToken)) > 0)
            {
                var start = 0;
                if (inHeader)
                {
                    var newline = scratch.AsSpan(0, read).IndexOf((byte)'\n');
                    if (newline < 0)
                    {
                        continue;
                    }

                    inHeader = false;
                    start = newline + 1;
                }

                await destination.WriteAsync(scratch.AsMemory(start, read - start), cancellationToken);
                copied += read - start;
            }

            return copied;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private static ChunkHeader ParseHeader(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        int chunk = 0, rows = 0;
        var columns = new List<string>();
        var index = new List<long>();
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "chunk": chunk = reader.GetInt32(); break;
                case "rows": rows = reader.GetInt32(); break;
                case "columns":
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        columns.Add(reader.GetString()!);
                    }

                    break;
                case "index":
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        index.Add(reader.GetInt64());
                    }

                    break;
                default: reader.Skip(); break;
            }
        }

        return new ChunkHeader(chunk, rows, columns, [.. index]);
    }

    private static async Task<ReadOnlyMemory<byte>> ReadAllAsync(Stream source, CancellationToken cancellationToken)
    {
        if (source.CanSeek)
        {
            var bytes = new byte[source.Length - source.Position];
            await source.ReadExactlyAsync(bytes, cancellationToken);
            return bytes;
        }

        using var memory = new MemoryStream();
        await source.CopyToAsync(memory, cancellationToken);
        return memory.GetBuffer().AsMemory(0, (int)memory.Length);
    }
}

/// <summary>The header line of a stored chunk.</summary>
public sealed record ChunkHeader(int Chunk, int Rows, IReadOnlyList<string> Columns, long[] Index);

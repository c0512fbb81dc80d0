using System.Buffers;
using Enrichflow.Core.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Enrichflow.Core.Rows;

/// <summary>
/// The stored form of a chunk that a later unit reads: a compact binary encoding, cheap to write and to read
/// back (a chunk is written once and read by each downstream unit).
/// <code>
/// "EFC2" | int32 chunk | int32 rows | varint columns, each varint length + UTF-8 name
/// each row: varint index | varint values | each value: varint column, byte tag, payload
/// tags: 0 null, 1 string (varint length + UTF-8), 2 int64, 3 float64, 4 true, 5 false, 6 JSON text (varint length + UTF-8)
/// </code>
/// Result files are not made from this form: blocks write CSV and NDJSON fragments beside it.
/// </summary>
public static class ChunkFormat
{
    private static ReadOnlySpan<byte> Magic => "EFC2"u8;

    private const byte Null = 0, Text = 1, Int64 = 2, Float64 = 3, True = 4, False = 5, Json = 6;

    public static async Task WriteAsync(Stream destination, RowChunk chunk, CancellationToken cancellationToken)
    {
        using var buffer = new PooledBuffer(Math.Max(4096, chunk.Count * 256));
        Write(buffer, chunk);
        await destination.WriteAsync(buffer.WrittenMemory, cancellationToken);
    }

    public static void Write(IBufferWriter<byte> buffer, RowChunk chunk)
    {
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new List<string>();
        foreach (var row in chunk.Rows)
        {
            foreach (var key in row.Keys)
            {
                if (columns.TryAdd(key, names.Count))
                {
                    names.Add(key);
                }
            }
        }

        var header = buffer.GetSpan(12);
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], chunk.Index);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], chunk.Count);
        buffer.Advance(12);
        WriteVarint(buffer, (ulong)names.Count);
        foreach (var name in names)
        {
            WriteString(buffer, name);
        }

        foreach (var row in chunk.Rows)
        {
            WriteVarint(buffer, (ulong)row.Index);
            WriteVarint(buffer, (ulong)row.Count);
            for (var i = 0; i < row.Count; i++)
            {
                var (key, value) = row.GetAt(i);
                // Rows usually hold the chunk's columns in order: then the column number is the position.
                var column = i < names.Count && ReferenceEquals(names[i], key) ? i : columns[key];
                WriteVarint(buffer, (ulong)column);
                WriteValue(buffer, value);
            }
        }
    }

    private static void WriteValue(IBufferWriter<byte> buffer, object? value)
    {
        switch (value)
        {
            case null:
                WriteByte(buffer, Null);
                break;
            case string s:
                WriteByte(buffer, Text);
                WriteString(buffer, s);
                break;
            case long l:
                WriteByte(buffer, Int64);
                BinaryPrimitives.WriteInt64LittleEndian(buffer.GetSpan(8), l);
                buffer.Advance(8);
                break;
            case int i:
                WriteByte(buffer, Int64);
                BinaryPrimitives.WriteInt64LittleEndian(buffer.GetSpan(8), i);
                buffer.Advance(8);
                break;
            case double d:
                WriteByte(buffer, Float64);
                BinaryPrimitives.WriteDoubleLittleEndian(buffer.GetSpan(8), d);
                buffer.Advance(8);
                break;
            case bool b:
                WriteByte(buffer, b ? True : False);
                break;
            case JsonNode node:
                WriteByte(buffer, Json);
                WriteString(buffer, node.ToJsonString());
                break;
            default:
                WriteByte(buffer, Text);
                WriteString(buffer, RowValues.ToText(value) ?? "");
                break;
        }
    }

    public static async Task<RowChunk> ReadAsync(Stream source, CancellationToken cancellationToken)
    {
        using var buffer = await PooledBuffer.ReadFromAsync(source, cancellationToken);
        return Parse(buffer.WrittenSpan);
    }

    public static RowChunk Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 12 || !bytes[..4].SequenceEqual(Magic))
        {
            throw new InvalidDataException("The stored chunk is not in the EFC2 format.");
        }

        var chunkIndex = BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
        var rowCount = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
        var position = 12;
        var names = new string[(int)ReadVarint(bytes, ref position)];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = ReadString(bytes, ref position);
        }

        var rows = new List<Row>(rowCount);
        for (var r = 0; r < rowCount; r++)
        {
            var index = (long)ReadVarint(bytes, ref position);
            var count = (int)ReadVarint(bytes, ref position);
            var row = new Row(index, count);
            for (var v = 0; v < count; v++)
            {
                var name = names[(int)ReadVarint(bytes, ref position)];
                row.Add(name, ReadValue(bytes, ref position));
            }

            rows.Add(row);
        }

        return new RowChunk(chunkIndex, rows);
    }

    private static object? ReadValue(ReadOnlySpan<byte> bytes, ref int position)
    {
        var tag = bytes[position++];
        switch (tag)
        {
            case Null: return null;
            case Text: return ReadString(bytes, ref position);
            case Int64:
                var l = BinaryPrimitives.ReadInt64LittleEndian(bytes[position..]);
                position += 8;
                return l;
            case Float64:
                var d = BinaryPrimitives.ReadDoubleLittleEndian(bytes[position..]);
                position += 8;
                return d;
            case True: return true;
            case False: return false;
            case Json: return JsonNode.Parse(ReadString(bytes, ref position));
            default: throw new InvalidDataException($"Unknown value tag {tag} in a stored chunk.");
        }
    }

    private static void WriteByte(IBufferWriter<byte> buffer, byte value)
    {
        buffer.GetSpan(1)[0] = value;
        buffer.Advance(1);
    }

    private static void WriteString(IBufferWriter<byte> buffer, string value)
    {
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        var span = buffer.GetSpan(max + 10);
        // Reserve the longest varint for the length, then move the text down when the length is short.
        var written = Encoding.UTF8.GetBytes(value, span[10..]);
        var lengthBytes = Varint.Length((ulong)written);
        Varint.Write(span, (ulong)written);
        span.Slice(10, written).CopyTo(span[lengthBytes..]);
        buffer.Advance(lengthBytes + written);
    }

    private static string ReadString(ReadOnlySpan<byte> bytes, ref int position)
    {
        var length = (int)ReadVarint(bytes, ref position);
        var text = Encoding.UTF8.GetString(bytes.Slice(position, length));
        position += length;
        return text;
    }

    private static void WriteVarint(IBufferWriter<byte> buffer, ulong value) => buffer.Advance(Varint.Write(buffer.GetSpan(10), value));

    private static ulong ReadVarint(ReadOnlySpan<byte> bytes, ref int position) => Varint.Read(bytes, ref position);

    /// <summary>Writes rows as NDJSON lines, the way NDJSON result files hold them.</summary>
    public static void WriteNdjson(IBufferWriter<byte> buffer, IReadOnlyList<Row> rows)
    {
        using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true, Encoder = RowValues.Encoder });
        foreach (var row in rows)
        {
            RowValues.WriteRow(writer, row);
            writer.Flush();
            buffer.GetSpan(1)[0] = (byte)'\n';
            buffer.Advance(1);
            writer.Reset();
        }
    }
}

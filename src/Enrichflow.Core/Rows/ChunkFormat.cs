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
            for (var i = 0; i < row.Count; i++)
            {
                // Rows usually hold the same key strings in the same order: a column already seen at its place needs no lookup.
                var key = row.GetAt(i).Key;
                if ((i >= names.Count || !ReferenceEquals(names[i], key)) && columns.TryAdd(key, names.Count))
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
            if (MaxScalarRowBytes(row) is int max)
            {
                buffer.Advance(WriteScalarRow(buffer.GetSpan(max), row, names, columns));
                continue;
            }

            WriteVarint(buffer, (ulong)row.Index);
            WriteVarint(buffer, (ulong)row.Count);
            for (var i = 0; i < row.Count; i++)
            {
                var (key, value) = row.GetAt(i);
                WriteVarint(buffer, (ulong)ColumnNumber(key, i, names, columns));
                WriteValue(buffer, value);
            }
        }
    }

    /// <summary>Rows usually hold the chunk's columns in order: then the column number is the position.</summary>
    private static int ColumnNumber(string key, int position, List<string> names, Dictionary<string, int> columns) =>
        position < names.Count && ReferenceEquals(names[position], key) ? position : columns[key];

    /// <summary>
    /// The most bytes <see cref="WriteScalarRow"/> writes for <paramref name="row"/>, or null when a value is not a
    /// string, number, bool or null (it is written value by value instead).
    /// </summary>
    private static int? MaxScalarRowBytes(Row row)
    {
        // Row index and value count, then per value at most a 5-byte column number and a tag.
        var max = 20;
        for (var i = 0; i < row.Count; i++)
        {
            switch (row.GetAt(i).Value)
            {
                case null or bool:
                    max += 6;
                    break;
                case long or int or double:
                    max += 14;
                    break;
                case string s when s.Length <= MaxCharsForScalarRow:
                    max += 16 + (s.Length * 3);
                    break;
                default:
                    return null;
            }
        }

        return max;
    }

    /// <summary>Strings longer than this go through <see cref="WriteString(IBufferWriter{byte}, string)"/>, so one row never asks for a huge span.</summary>
    private const int MaxCharsForScalarRow = 64 * 1024;

    /// <summary>One row of scalar values into a span large enough (see <see cref="MaxScalarRowBytes"/>); returns the bytes written.</summary>
    private static int WriteScalarRow(Span<byte> span, Row row, List<string> names, Dictionary<string, int> columns)
    {
        var position = Varint.Write(span, (ulong)row.Index);
        position += Varint.Write(span[position..], (ulong)row.Count);
        for (var i = 0; i < row.Count; i++)
        {
            var (key, value) = row.GetAt(i);
            position += Varint.Write(span[position..], (ulong)ColumnNumber(key, i, names, columns));
            switch (value)
            {
                case null:
                    span[position++] = Null;
                    break;
                case string s:
                    span[position++] = Text;
                    position += WriteString(span[position..], s);
                    break;
                case long l:
                    span[position++] = Int64;
                    BinaryPrimitives.WriteInt64LittleEndian(span[position..], l);
                    position += 8;
                    break;
                case int n:
                    span[position++] = Int64;
                    BinaryPrimitives.WriteInt64LittleEndian(span[position..], n);
                    position += 8;
                    break;
                case double d:
                    span[position++] = Float64;
                    BinaryPrimitives.WriteDoubleLittleEndian(span[position..], d);
                    position += 8;
                    break;
                case bool b:
                    span[position++] = b ? True : False;
                    break;
            }
        }

        return position;
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

        var strings = new ChunkStrings(names.Length);
        var rows = new List<Row>(rowCount);
        for (var r = 0; r < rowCount; r++)
        {
            var index = (long)ReadVarint(bytes, ref position);
            var count = (int)ReadVarint(bytes, ref position);
            var row = new Row(index, count);
            for (var v = 0; v < count; v++)
            {
                var column = (int)ReadVarint(bytes, ref position);
                var name = names[column];
                row.Add(name, ReadValue(bytes, ref position, column, ref strings));
            }

            rows.Add(row);
        }

        return new RowChunk(chunkIndex, rows);
    }

    private static readonly object BoxedTrue = true, BoxedFalse = false;

    private static object? ReadValue(ReadOnlySpan<byte> bytes, ref int position, int column, ref ChunkStrings strings)
    {
        var tag = bytes[position++];
        switch (tag)
        {
            case Null: return null;
            case Text:
                var length = (int)ReadVarint(bytes, ref position);
                var text = strings.Get(bytes, position, length, column);
                position += length;
                return text;
            case Int64:
                var l = BinaryPrimitives.ReadInt64LittleEndian(bytes[position..]);
                position += 8;
                return l;
            case Float64:
                var d = BinaryPrimitives.ReadDoubleLittleEndian(bytes[position..]);
                position += 8;
                return d;
            case True: return BoxedTrue;
            case False: return BoxedFalse;
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
        var span = buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(value.Length) + 10);
        buffer.Advance(WriteString(span, value));
    }

    /// <summary>Writes varint length + UTF-8 into a span of at least 10 + 3 bytes per char; returns the bytes written.</summary>
    private static int WriteString(Span<byte> span, string value)
    {
        // At most 3 UTF-8 bytes per UTF-16 char: up to 42 chars, the length is one varint byte, so the text goes
        // straight after it.
        if (value.Length <= 42)
        {
            var length = Encoding.UTF8.GetBytes(value, span[1..]);
            span[0] = (byte)length;
            return 1 + length;
        }

        // Reserve the longest varint for the length, then move the text down when the length is short.
        var written = Encoding.UTF8.GetBytes(value, span[10..]);
        var lengthBytes = Varint.Write(span, (ulong)written);
        span.Slice(10, written).CopyTo(span[lengthBytes..]);
        return lengthBytes + written;
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

using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Core.Rows;

namespace Enrichflow.Blocks.Sources;

/// <summary>
/// Reads a JSON object into a <see cref="Row"/> with the row value types: string, long (or double when not an
/// integer), bool, null, and a <see cref="JsonNode"/> only for nested lists and objects.
/// </summary>
/// <remarks>
/// Not <c>RowValues.Read</c>: its switch expression's arms share the natural type <see cref="JsonNode"/> (every
/// arm converts to it implicitly), so it turns scalars into <c>JsonValue</c>s and integers into doubles.
/// </remarks>
internal static class JsonRowReader
{
    /// <summary>Reads the object the reader is on (its StartObject) into a row.</summary>
    public static Row ReadRow(ref Utf8JsonReader reader, long index)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("Expected a JSON object.");
        }

        var row = new Row(index);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString()!;
            reader.Read();
            row[name] = ReadValue(ref reader);
        }

        return row;
    }

    public static object? ReadValue(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.Number:
                if (reader.TryGetInt64(out var integer))
                {
                    return integer;
                }

                return reader.GetDouble();
            case JsonTokenType.True:
                return true;
            case JsonTokenType.False:
                return false;
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.StartArray:
            case JsonTokenType.StartObject:
                return JsonNode.Parse(ref reader);
            default:
                throw new JsonException($"Unexpected JSON token {reader.TokenType}.");
        }
    }
}

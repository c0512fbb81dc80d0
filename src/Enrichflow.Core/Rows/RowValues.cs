using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Enrichflow.Core.Rows;

/// <summary>Conversions between row values, JSON and text.</summary>
public static class RowValues
{
    /// <summary>
    /// How row values are escaped in result files: relaxed, so <c>+</c>, apostrophes and non-ASCII text appear as
    /// themselves (people grep these files); quotes, backslashes and control characters are still escaped, so every
    /// line stays valid JSON. Result files are data, never embedded in HTML.
    /// </summary>
    public static JavaScriptEncoder Encoder => JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    private static readonly JsonSerializerOptions NodeText = new() { Encoder = Encoder };

    public static string? ToText(object? value) => value switch
    {
        null => null,
        string s => s,
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        int i => i.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        decimal m => m.ToString(CultureInfo.InvariantCulture),
        JsonNode node => node.ToJsonString(NodeText),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    /// <summary>Reads the current JSON value of <paramref name="reader"/> as a row value.</summary>
    public static object? Read(ref Utf8JsonReader reader)
    {
        // A switch statement, not an expression: the arms must stay object?, not convert to JsonNode.
        switch (reader.TokenType)
        {
            case JsonTokenType.String: return ReadString(ref reader);
            case JsonTokenType.Number: return reader.TryGetInt64(out var l) ? (object)l : reader.GetDouble();
            case JsonTokenType.True: return true;
            case JsonTokenType.False: return false;
            case JsonTokenType.Null: return null;
            case JsonTokenType.StartArray or JsonTokenType.StartObject: return JsonNode.Parse(ref reader);
            default: throw new JsonException($"Unexpected JSON token {reader.TokenType}.");
        }
    }

    /// <summary>
    /// The current string token (a value or a property name). A <c>\\u</c> escape of half a surrogate pair is valid
    /// JSON syntax but no text; it is a <see cref="JsonException"/> (the record's error, a reject or a 4xx naming it),
    /// not the <see cref="InvalidOperationException"/> System.Text.Json throws.
    /// </summary>
    public static string ReadString(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException e) when (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
        {
            throw LoneSurrogate(e);
        }
    }

    private static string StringOf(JsonElement element)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            throw LoneSurrogate(e);
        }
    }

    private static JsonException LoneSurrogate(InvalidOperationException e) =>
        new("a string holds a \\u escape of half a surrogate pair (such as \\ud800 alone), which is no character", e);

    public static object? FromElement(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String: return StringOf(element);
            case JsonValueKind.Number: return element.TryGetInt64(out var l) ? (object)l : element.GetDouble();
            case JsonValueKind.True: return true;
            case JsonValueKind.False: return false;
            case JsonValueKind.Null or JsonValueKind.Undefined: return null;
            default: return JsonNode.Parse(element.GetRawText());
        }
    }

    public static void Write(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case long l: writer.WriteNumberValue(l); break;
            case int i: writer.WriteNumberValue(i); break;
            case double d when double.IsFinite(d): writer.WriteNumberValue(d); break;
            case double d: writer.WriteStringValue(d.ToString(CultureInfo.InvariantCulture)); break;
            case decimal m: writer.WriteNumberValue(m); break;
            case JsonNode node: node.WriteTo(writer); break;
            default: writer.WriteStringValue(ToText(value)); break;
        }
    }

    public static void WriteRow(Utf8JsonWriter writer, Row row)
    {
        writer.WriteStartObject();
        for (var i = 0; i < row.Count; i++)
        {
            var (key, value) = row.GetAt(i);
            writer.WritePropertyName(key);
            Write(writer, value);
        }

        writer.WriteEndObject();
    }

    /// <summary>Reads a JSON object (the reader on its StartObject) into a row.</summary>
    public static Row ReadRow(ref Utf8JsonReader reader, long index)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("Expected a JSON object.");
        }

        var row = new Row(index);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = ReadString(ref reader);
            reader.Read();
            row[name] = Read(ref reader);
        }

        return row;
    }

    public static bool IsEmpty(object? value) => value switch
    {
        null => true,
        string s => string.IsNullOrWhiteSpace(s),
        JsonArray a => a.Count == 0,
        JsonObject o => o.Count == 0,
        _ => false,
    };
}

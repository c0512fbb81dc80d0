using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Core.Rows;

namespace Enrichflow.Blocks.Converters;

/// <summary>Reads the list column of <c>company_to_leads</c> and says, in a user's words, what it held when it is not a list.</summary>
internal static class PeopleColumn
{
    /// <summary>
    /// The list in <paramref name="column"/>: a <see cref="JsonArray"/>, or a text holding a JSON array (lists read
    /// from a CSV arrive as JSON text). Null, with the reason, when the row lacks the column or it holds no list.
    /// </summary>
    public static JsonArray? Read(Row row, string column, out string? reason)
    {
        reason = null;
        if (!row.TryGetValue(column, out var value))
        {
            reason = $"people_field '{column}' is missing from the row";
            return null;
        }

        switch (value)
        {
            case JsonArray list:
                return list;
            case null:
                reason = $"people_field '{column}' is null, not a list";
                return null;
            case string text when string.IsNullOrWhiteSpace(text):
                reason = $"people_field '{column}' is an empty string, not a list";
                return null;
            case string text:
                return Parse(text.Trim(), column, out reason);
            default:
                reason = $"people_field '{column}' is {Kind(value)}, not a list";
                return null;
        }
    }

    private static JsonArray? Parse(string text, string column, out string? reason)
    {
        reason = null;
        if (text[0] != '[')
        {
            reason = text[0] == '{'
                ? $"people_field '{column}' is a string holding a JSON object, not a list"
                : $"people_field '{column}' is a string, not a list";
            return null;
        }

        try
        {
            if (JsonNode.Parse(text) is JsonArray list)
            {
                return list;
            }
        }
        catch (JsonException e)
        {
            reason = $"people_field '{column}' is a string that is not a valid JSON list ({Shorten(e.Message)})";
            return null;
        }

        reason = $"people_field '{column}' is a string, not a list";
        return null;
    }

    /// <summary>A value's kind as a user would name it: "a string", "a number", "an object", "true", "null".</summary>
    public static string Kind(object? value) => value switch
    {
        null => "null",
        string => "a string",
        bool b => b ? "true" : "false",
        long or int or double or decimal => "a number",
        JsonArray => "a list",
        JsonObject => "an object",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => "null",
        },
        _ => "a value of another kind",
    };

    /// <summary>A person's field as a row value: string, long, double, bool, null, or the (detached) node itself.</summary>
    public static object? ToRowValue(JsonNode? node)
    {
        if (node is not JsonValue value)
        {
            return node;
        }

        if (value.TryGetValue<JsonElement>(out var element))
        {
            return RowValues.FromElement(element);
        }

        if (value.TryGetValue<string>(out var text))
        {
            return text;
        }

        // A value built in code (JsonValue.Create(42)): read its JSON text the way rows are read.
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(value.ToJsonString()));
        reader.Read();
        return RowValues.Read(ref reader);
    }

    private static string Shorten(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        var text = (cut > 0 ? message[..cut] : message).TrimEnd('.', ' ');
        return text.Length <= 200 ? text : string.Create(CultureInfo.InvariantCulture, $"{text[..200]}...");
    }
}

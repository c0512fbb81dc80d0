using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Core.Rows;

namespace Enrichflow.Fakes;

/// <summary>Rows for tests, written as JSON objects; values become string, long, double, bool, null or JsonNode.</summary>
public static class ExpressionRows
{
    public static Row Of(string json, long index = 0)
    {
        using var document = JsonDocument.Parse(json);
        var row = new Row(index);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            row[property.Name] = Value(property.Value);
        }

        return row;
    }

    private static object? Value(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number when element.TryGetInt64(out var l) => (object)l,
        JsonValueKind.Number => element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        _ => JsonNode.Parse(element.GetRawText()),
    };
}

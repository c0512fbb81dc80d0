using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

using Enrichflow.Providers.Kinds;

namespace Enrichflow.Providers;

/// <summary>
/// Fits a provider's values to the requested <see cref="ReturnFieldType"/>: exact JSON types pass, lossless
/// conversions are made (<c>"42"</c> for an int, <c>"true"</c> for a bool, a number for a str, one string for a
/// list), blank values become null (not found), and anything else is a violation naming the field and the value.
/// </summary>
public static class FieldValues
{
    private const int ShownValueLength = 80;

    /// <summary>Maps every requested field from <paramref name="values"/> by name; null with <paramref name="error"/> on the first violation.</summary>
    public static Dictionary<string, JsonNode?>? Map(IReadOnlyList<ReturnField> fields, Func<ReturnField, JsonNode?> values, out string? error)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(values);
        var mapped = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var field in fields)
        {
            if (!TryCoerce(field, values(field), out var value, out error))
            {
                return null;
            }

            mapped[field.Name] = value;
        }

        error = null;
        return mapped;
    }

    /// <summary>A JSON value from a provider as the field's type (a detached copy).</summary>
    public static bool TryCoerce(ReturnField field, JsonNode? value, out JsonNode? result, out string? error)
    {
        ArgumentNullException.ThrowIfNull(field);
        result = null;
        error = null;
        if (value is null || value.GetValueKind() == JsonValueKind.Null || IsBlankString(value))
        {
            return true;
        }

        result = field.Type switch
        {
            ReturnFieldType.Str => AsText(value) is { } text ? JsonValue.Create(text) : null,
            ReturnFieldType.Int => AsInteger(value) is { } integer ? JsonValue.Create(integer) : null,
            ReturnFieldType.Float => AsDouble(value) is { } number ? JsonValue.Create(number) : null,
            ReturnFieldType.Bool => AsBoolean(value) is { } flag ? JsonValue.Create(flag) : null,
            ReturnFieldType.ListStr => AsList(value, e => AsText(e) is { } t ? JsonValue.Create(t) : null),
            ReturnFieldType.ListInt => AsList(value, e => AsInteger(e) is { } n ? JsonValue.Create(n) : null),
            _ => value is JsonObject ? value.DeepClone() : null,
        };
        if (result is null)
        {
            error = Violation(field, value);
            return false;
        }

        return true;
    }

    /// <summary>A text cell (a lookup table's) as the field's type: numbers and bools parsed, lists from <c>a;b</c> or JSON, dicts from JSON.</summary>
    public static bool TryFromText(ReturnField field, string? text, out JsonNode? result, out string? error)
    {
        ArgumentNullException.ThrowIfNull(field);
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            result = null;
            error = null;
            return true;
        }

        JsonNode? value = JsonValue.Create(trimmed);
        if (field.Type is ReturnFieldType.ListStr or ReturnFieldType.ListInt or ReturnFieldType.Dict)
        {
            value = trimmed[0] is '[' or '{' ? TryParse(trimmed) ?? value : value;
            if (value is JsonValue && field.Type != ReturnFieldType.Dict)
            {
                value = new JsonArray([.. trimmed.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(p => (JsonNode?)JsonValue.Create(p))]);
            }
        }

        return TryCoerce(field, value, out result, out error);
    }

    /// <summary>"field 'x' should be int but was "abc"".</summary>
    public static string Violation(ReturnField field, JsonNode? value)
    {
        ArgumentNullException.ThrowIfNull(field);
        var shown = value?.ToJsonString() ?? "null";
        if (shown.Length > ShownValueLength)
        {
            shown = shown[..ShownValueLength] + "…";
        }

        return $"field '{field.Name}' should be {field.Type.ToWire()} but was {shown}";
    }

    private static bool IsBlankString(JsonNode value) =>
        value.GetValueKind() == JsonValueKind.String && string.IsNullOrWhiteSpace(value.GetValue<string>());

    private static string? AsText(JsonNode? value) => value?.GetValueKind() switch
    {
        JsonValueKind.String => value.GetValue<string>(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.ToJsonString(),
        _ => null,
    };

    private static long? AsInteger(JsonNode? value)
    {
        switch (value?.GetValueKind())
        {
            case JsonValueKind.Number or JsonValueKind.String:
                var text = value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>().Trim() : value.ToJsonString();
                return long.TryParse(text, NumberStyles.Integer | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var parsed) ? parsed
                    : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && double.IsInteger(real) && Math.Abs(real) < 9e15 ? (long)real
                    : null;
            default:
                return null;
        }
    }

    private static double? AsDouble(JsonNode? value) => value?.GetValueKind() switch
    {
        JsonValueKind.Number or JsonValueKind.String => double.TryParse(value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>().Trim() : value.ToJsonString(), NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var parsed) && double.IsFinite(parsed) ? parsed : null,
        _ => null,
    };

    private static bool? AsBoolean(JsonNode? value) => value?.GetValueKind() switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String => value.GetValue<string>().Trim().ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            _ => null,
        },
        _ => null,
    };

    /// <summary>An array with every non-null element converted, or one converted element for a single value; null on any violation.</summary>
    private static JsonArray? AsList(JsonNode value, Func<JsonNode, JsonNode?> convert)
    {
        if (value is JsonObject)
        {
            return null;
        }

        var elements = value is JsonArray array ? array.Where(e => e is not null && e.GetValueKind() != JsonValueKind.Null).ToList() : [value];
        var list = new JsonArray();
        foreach (var element in elements)
        {
            if (convert(element!) is not { } converted)
            {
                return null;
            }

            list.Add(converted);
        }

        return list;
    }

    private static JsonNode? TryParse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

using System.Globalization;
using System.Text.Json.Nodes;

using Enrichflow.Providers.Kinds;

namespace Enrichflow.Providers;

/// <summary>
/// A small JSON path over <see cref="JsonNode"/>: property names separated by dots, array indexes in brackets, an
/// optional leading <c>$</c> or <c>$.</c>, and <c>['name with.dots']</c> for awkward names. <c>$.data.items[0].name</c>,
/// <c>data.items[0].name</c> and <c>items[-1]</c> (the last) are paths; wildcards and filters are not.
/// </summary>
public sealed class JsonPath
{
    private readonly IReadOnlyList<object> _steps;

    private JsonPath(string text, IReadOnlyList<object> steps)
    {
        Text = text;
        _steps = steps;
    }

    public string Text { get; }

    public static JsonPath Parse(string text) =>
        TryParse(text, out var path, out var error) ? path : throw new FormatException(error);

    /// <summary>Parses a path; on failure <paramref name="error"/> says what is wrong and where.</summary>
    public static bool TryParse(string? text, out JsonPath path, out string error)
    {
        path = null!;
        error = "";
        var source = text?.Trim() ?? "";
        var steps = new List<object>();
        var i = 0;
        if (source.StartsWith('$'))
        {
            i = 1;
            if (i < source.Length && source[i] == '.')
            {
                i++;
            }
        }

        var expectName = true;
        while (i < source.Length)
        {
            var c = source[i];
            if (c == '[')
            {
                var close = source.IndexOf(']', i);
                if (close < 0)
                {
                    error = $"'{source}' has a '[' at {i + 1} without its ']'.";
                    return false;
                }

                var inner = source[(i + 1)..close].Trim();
                if (inner.Length >= 2 && inner[0] is '\'' or '"' && inner[^1] == inner[0])
                {
                    steps.Add(inner[1..^1]);
                }
                else if (int.TryParse(inner, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var index))
                {
                    steps.Add(index);
                }
                else
                {
                    error = $"'{source}' has '[{inner}]' at {i + 1}; use a number like [0] or a quoted name like ['a.b'].";
                    return false;
                }

                i = close + 1;
                expectName = false;
            }
            else if (c == '.')
            {
                if (expectName)
                {
                    error = $"'{source}' has an empty name at {i + 1}.";
                    return false;
                }

                i++;
                expectName = true;
            }
            else
            {
                var end = source.IndexOfAny(['.', '['], i);
                end = end < 0 ? source.Length : end;
                steps.Add(source[i..end]);
                i = end;
                expectName = false;
            }
        }

        if (steps.Count == 0 || expectName && source.EndsWith('.'))
        {
            error = $"'{source}' names no property; write a path like $.data.name or items[0].id.";
            return false;
        }

        path = new JsonPath(source, steps);
        return true;
    }

    /// <summary>The value at the path, or null when any step is missing (or of the wrong kind).</summary>
    public JsonNode? Read(JsonNode? root)
    {
        var node = root;
        foreach (var step in _steps)
        {
            node = (step, node) switch
            {
                (string name, JsonObject obj) => obj.TryGetPropertyValue(name, out var value) ? value : null,
                (int index, JsonArray array) when index >= 0 && index < array.Count => array[index],
                (int index, JsonArray array) when index < 0 && -index <= array.Count => array[array.Count + index],
                _ => null,
            };
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    public override string ToString() => Text;
}

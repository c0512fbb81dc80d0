using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Enrichflow.Core.Blocks;

// What a specs value that does not deserialize is, in a user's words: the field and the kind of value it takes, never a .NET type name.
public static partial class BlockSpecs
{
    private const string MissingRequired = "missing required properties including: ";

    /// <summary>
    /// The place inside the specs and the sentence for a specs value that did not deserialize into <paramref name="specsType"/>.
    /// The kind of value expected comes from the type at the error's path, not from the serializer's message.
    /// </summary>
    internal static (IReadOnlyList<object> Path, string Message) Describe(JsonException e, Type specsType)
    {
        var path = PathOf(e.Path);
        var message = e.Message;
        var missing = message.IndexOf(MissingRequired, StringComparison.Ordinal);
        if (missing >= 0)
        {
            var names = message[(missing + MissingRequired.Length)..].TrimEnd('.').Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(n => n.Trim('\'')).ToList();
            var at = path.Count > 0 ? $" in '{Shown(path)}'" : "";
            return ([.. path, .. names.Take(1)], names.Count == 1
                ? $"'{names[0]}' is required{at}."
                : $"{string.Join(", ", names.Select(n => $"'{n}'"))} are required{at}.");
        }

        var type = TypeAt(specsType, path);
        var kind = type is null ? "a value of another shape (see GET /workflows/blocks for the block's specs schema)" : KindOf(type);
        if (path.Count == 0)
        {
            return (path, $"the specs must be {kind}.");
        }

        return message.Contains("null", StringComparison.OrdinalIgnoreCase) && message.Contains("allow", StringComparison.Ordinal)
            ? (path, $"'{Shown(path)}' must not be null; give {kind}.")
            : (path, $"'{Shown(path)}' must be {kind}.");
    }

    /// <summary><c>$.operations[0].column</c> as <c>["operations", 0, "column"]</c>.</summary>
    private static List<object> PathOf(string? jsonPath)
    {
        var path = new List<object>();
        if (jsonPath is not { Length: > 1 })
        {
            return path;
        }

        foreach (var part in jsonPath[1..].Split('.', '[', ']').Where(p => p.Length > 0))
        {
            var unquoted = part.Trim('\'');
            path.Add(int.TryParse(unquoted, out var index) ? index : unquoted);
        }

        return path;
    }

    private static string Shown(IReadOnlyList<object> path) =>
        string.Concat(path.Select((p, i) => p is int n ? $"[{n}]" : i == 0 ? p.ToString() : "." + p));

    /// <summary>The CLR type the specs hold at <paramref name="path"/>; null when the path leaves the known shape.</summary>
    private static Type? TypeAt(Type specsType, IReadOnlyList<object> path)
    {
        var type = specsType;
        foreach (var step in path)
        {
            var info = Options.GetTypeInfo(Nullable.GetUnderlyingType(type) ?? type);
            Type? next = (info.Kind, step) switch
            {
                (JsonTypeInfoKind.Object, string name) => info.Properties.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))?.PropertyType,
                (JsonTypeInfoKind.Enumerable, int) => info.ElementType,
                (JsonTypeInfoKind.Dictionary, string) => info.ElementType,
                _ => null,
            };
            if (next is null)
            {
                return null;
            }

            type = next;
        }

        return type;
    }

    private static string KindOf(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return "a string";
        }

        if (type == typeof(bool))
        {
            return "true or false";
        }

        if (type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte))
        {
            return "an integer";
        }

        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal))
        {
            return "a number";
        }

        if (type.IsEnum)
        {
            var naming = JsonNamingPolicy.SnakeCaseLower;
            return "one of " + string.Join(", ", Enum.GetNames(type).Select(naming.ConvertName));
        }

        if (type == typeof(JsonElement))
        {
            return "a JSON value";
        }

        var info = Options.GetTypeInfo(type);
        return info.Kind switch
        {
            JsonTypeInfoKind.Enumerable when info.ElementType is { } element => $"a list of {Plural(KindOf(element))}",
            JsonTypeInfoKind.Enumerable => "a list",
            _ => "an object",
        };
    }

    private static string Plural(string kind) => kind switch
    {
        "a string" => "strings",
        "an integer" => "integers",
        "a number" => "numbers",
        "true or false" => "true or false values",
        "an object" => "objects",
        "a JSON value" => "JSON values",
        _ => kind.StartsWith("a list", StringComparison.Ordinal) ? "lists" : "values",
    };
}

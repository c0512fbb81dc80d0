using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Enrichflow.Core.Definitions;

namespace Enrichflow.Core.Blocks;

// Keys of a block's specs that its specs type does not have: warnings, not errors (docs/api.md §2.1).
public static partial class BlockSpecs
{
    /// <summary>
    /// Warns about every key of <paramref name="specs"/> (and of the objects nested in it, such as a filter's
    /// conditions) that <paramref name="specsType"/> does not read, with the nearest known key as a suggestion.
    /// Maps with free keys (<c>return_fields</c>, <c>input_schema</c>) and raw JSON values are not looked into.
    /// </summary>
    internal static void WarnUnknownKeys(JsonElement specs, Type specsType, IReadOnlyList<string> ignored, BlockCompileContext context) =>
        WarnUnknownKeys(specs, specsType, [], ignored, context);

    private static void WarnUnknownKeys(JsonElement value, Type type, List<object> path, IReadOnlyList<string> ignored, BlockCompileContext context)
    {
        var info = Options.GetTypeInfo(Nullable.GetUnderlyingType(type) ?? type);
        if (info.Kind == JsonTypeInfoKind.Enumerable && value.ValueKind == JsonValueKind.Array && info.ElementType is { } element)
        {
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                WarnUnknownKeys(item, element, [.. path, i++], [], context);
            }

            return;
        }

        if (info.Kind != JsonTypeInfoKind.Object || value.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var names = info.Properties.Select(p => p.Name).ToList();
        foreach (var property in value.EnumerateObject())
        {
            var known = info.Properties.FirstOrDefault(p => string.Equals(p.Name, property.Name, StringComparison.OrdinalIgnoreCase));
            if (known is not null)
            {
                WarnUnknownKeys(property.Value, known.PropertyType, [.. path, property.Name], [], context);
            }
            else if (!ignored.Contains(property.Name, StringComparer.OrdinalIgnoreCase))
            {
                context.AddWarning([.. path, property.Name],
                    $"unknown spec '{property.Name}' of block '{context.Definition.BlockId}'{Suggestions.DidYouMean(property.Name, names)}");
            }
        }
    }
}

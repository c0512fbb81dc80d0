using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;

namespace Enrichflow.Core.Blocks;

// The JSON Schema of a block's specs (GET /workflows/blocks): what the exporter makes of the type, plus what its attributes say.
public static partial class BlockSpecs
{
    /// <summary>
    /// The schema of <paramref name="specsType"/> with each property's <c>[Description]</c> as <c>description</c> and
    /// its <c>[AllowedValues]</c> as <c>enum</c> (with null when the property may be null), nested records included.
    /// The attributes are read by walking the schema beside the type (the exporter's own hook is not called for
    /// every property: a <c>JsonElement?</c> one is skipped).
    /// </summary>
    public static JsonNode Schema(Type specsType)
    {
        var schema = Options.GetJsonSchemaAsNode(specsType);
        Annotate(schema, specsType, depth: 0);
        return schema;
    }

    private static void Annotate(JsonNode? schema, Type type, int depth)
    {
        if (schema is not JsonObject node || depth > 16)
        {
            return;
        }

        var info = Options.GetTypeInfo(Nullable.GetUnderlyingType(type) ?? type);
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object when node["properties"] is JsonObject properties:
                foreach (var property in info.Properties)
                {
                    if (!properties.ContainsKey(property.Name))
                    {
                        continue;
                    }

                    // Any JSON value is the schema `true`, the same as `{}`: an object that can carry a description.
                    if (properties[property.Name] is not JsonObject target)
                    {
                        properties[property.Name] = target = [];
                    }

                    AnnotateProperty(target, property.AttributeProvider);
                    Annotate(target, property.PropertyType, depth + 1);
                }

                break;
            case JsonTypeInfoKind.Enumerable when info.ElementType is { } element:
                Annotate(node["items"], element, depth + 1);
                break;
            case JsonTypeInfoKind.Dictionary when info.ElementType is { } value:
                Annotate(node["additionalProperties"], value, depth + 1);
                break;
        }
    }

    private static void AnnotateProperty(JsonObject node, ICustomAttributeProvider? attributes)
    {
        if (attributes is null)
        {
            return;
        }

        if (attributes.GetCustomAttributes(typeof(DescriptionAttribute), inherit: false).OfType<DescriptionAttribute>().FirstOrDefault() is { } description)
        {
            node.Insert(0, "description", description.Description);
        }

        if (attributes.GetCustomAttributes(typeof(AllowedValuesAttribute), inherit: false).OfType<AllowedValuesAttribute>().FirstOrDefault() is { } allowed)
        {
            var values = new JsonArray([.. allowed.Values.Select(v => JsonValue.Create(v?.ToString()))]);
            if (node["type"] is JsonArray types && types.Any(t => t?.GetValueKind() == JsonValueKind.String && t.GetValue<string>() == "null"))
            {
                values.Add(null);
            }

            node["enum"] = values;
        }
    }
}

using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;

namespace Enrichflow.Core.Blocks;

// The JSON Schema of a block's specs (GET /workflows/blocks): what the exporter makes of the type, plus what its attributes say.
public static partial class BlockSpecs
{
    /// <summary>
    /// Adds a property's (or type's) <c>[Description]</c> as <c>description</c> and its <c>[AllowedValues]</c> as
    /// <c>enum</c> (with null when the property may be null).
    /// </summary>
    public static readonly JsonSchemaExporterOptions SchemaOptions = new() { TransformSchemaNode = Annotate };

    private static JsonNode Annotate(JsonSchemaExporterContext context, JsonNode schema)
    {
        if (schema is not JsonObject node)
        {
            return schema;
        }

        var attributes = context.PropertyInfo?.AttributeProvider ?? (context.PropertyInfo is null ? context.TypeInfo.Type : null);
        if (attributes is null)
        {
            return node;
        }

        if (attributes.GetCustomAttributes(typeof(DescriptionAttribute), inherit: false).OfType<DescriptionAttribute>().FirstOrDefault() is { } description)
        {
            node.Insert(0, "description", description.Description);
        }

        if (attributes.GetCustomAttributes(typeof(AllowedValuesAttribute), inherit: false).OfType<AllowedValuesAttribute>().FirstOrDefault() is { } allowed)
        {
            var values = new JsonArray([.. allowed.Values.Select(v => JsonValue.Create(v?.ToString()))]);
            if (node["type"]?.ToJsonString().Contains("null", StringComparison.Ordinal) == true && !values.Any(v => v is null))
            {
                values.Add(null);
            }

            node["enum"] = values;
        }

        return node;
    }
}

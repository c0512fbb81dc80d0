using System.Text.Json;

namespace Enrichflow.Core.Definitions;

/// <summary>
/// Reads a <c>workflow_definition</c> JSON value into the model, collecting schema errors (missing fields,
/// wrong types) with their <c>loc</c>; these are the 422s of docs/api.md §1. Meaning is checked later by
/// <see cref="DefinitionValidator"/>.
/// </summary>
public static class DefinitionParser
{
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    public static WorkflowDefinition? Parse(JsonElement value, IReadOnlyList<object> loc, List<DefinitionError> errors)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new DefinitionError(loc, "Input should be a valid dictionary", "dict_type"));
            return null;
        }

        var before = errors.Count;
        var blocks = new List<BlockDefinition>();
        if (!value.TryGetProperty("blocks", out var blocksValue))
        {
            errors.Add(new DefinitionError([.. loc, "blocks"], "Field required", "missing"));
        }
        else if (blocksValue.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new DefinitionError([.. loc, "blocks"], "Input should be a valid list", "list_type"));
        }
        else
        {
            var i = 0;
            foreach (var block in blocksValue.EnumerateArray())
            {
                var block1 = ParseBlock(block, [.. loc, "blocks", i], errors);
                if (block1 is not null)
                {
                    blocks.Add(block1);
                }

                i++;
            }
        }

        var edges = new List<EdgeDefinition>();
        if (value.TryGetProperty("edges", out var edgesValue) && edgesValue.ValueKind != JsonValueKind.Null)
        {
            if (edgesValue.ValueKind != JsonValueKind.Array)
            {
                errors.Add(new DefinitionError([.. loc, "edges"], "Input should be a valid list", "list_type"));
            }
            else
            {
                var i = 0;
                foreach (var edge in edgesValue.EnumerateArray())
                {
                    var edge1 = ParseEdge(edge, [.. loc, "edges", i], errors);
                    if (edge1 is not null)
                    {
                        edges.Add(edge1);
                    }

                    i++;
                }
            }
        }

        return errors.Count == before ? new WorkflowDefinition(blocks, edges) : null;
    }

    private static BlockDefinition? ParseBlock(JsonElement block, IReadOnlyList<object> loc, List<DefinitionError> errors)
    {
        if (block.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new DefinitionError(loc, "Input should be a valid dictionary", "dict_type"));
            return null;
        }

        var before = errors.Count;
        var sequence = RequiredInt(block, "sequence_number", loc, errors);
        var blockType = OptionalString(block, "block_type", loc, errors);
        var blockName = OptionalString(block, "block_name", loc, errors);
        if (blockType is null && blockName is null && errors.Count == before)
        {
            errors.Add(new DefinitionError([.. loc, "block_name"], "Field required", "missing"));
        }

        var blockId = OptionalString(block, "block_id", loc, errors);
        var specs = EmptyObject;
        if (block.TryGetProperty("specs", out var specsValue) && specsValue.ValueKind != JsonValueKind.Null)
        {
            if (specsValue.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new DefinitionError([.. loc, "specs"], "Input should be a valid dictionary", "dict_type"));
            }
            else
            {
                specs = specsValue.Clone();
            }
        }

        if (errors.Count != before)
        {
            return null;
        }

        return new BlockDefinition(sequence, blockType ?? blockName!, blockName ?? blockType!,
            string.IsNullOrEmpty(blockId) ? $"block_{sequence}" : blockId, specs);
    }

    private static EdgeDefinition? ParseEdge(JsonElement edge, IReadOnlyList<object> loc, List<DefinitionError> errors)
    {
        if (edge.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new DefinitionError(loc, "Input should be a valid dictionary", "dict_type"));
            return null;
        }

        var before = errors.Count;
        var from = RequiredString(edge, "from_block_id", loc, errors);
        var to = RequiredString(edge, "to_block_id", loc, errors);
        var condition = OptionalString(edge, "condition", loc, errors);
        return errors.Count == before ? new EdgeDefinition(from!, to!, string.IsNullOrWhiteSpace(condition) ? null : condition) : null;
    }

    private static int RequiredInt(JsonElement obj, string name, IReadOnlyList<object> loc, List<DefinitionError> errors)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            errors.Add(new DefinitionError([.. loc, name], "Field required", "missing"));
            return 0;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String && int.TryParse(value.GetString(), out number))
        {
            return number;
        }

        errors.Add(new DefinitionError([.. loc, name], "Input should be a valid integer", "int_type"));
        return 0;
    }

    private static string? RequiredString(JsonElement obj, string name, IReadOnlyList<object> loc, List<DefinitionError> errors)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            errors.Add(new DefinitionError([.. loc, name], "Field required", "missing"));
            return null;
        }

        return OptionalString(obj, name, loc, errors);
    }

    private static string? OptionalString(JsonElement obj, string name, IReadOnlyList<object> loc, List<DefinitionError> errors)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(new DefinitionError([.. loc, name], "Input should be a valid string", "string_type"));
            return null;
        }

        return value.GetString();
    }
}

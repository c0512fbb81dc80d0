using System.Text.Json.Nodes;
using Enrichflow.Core.Blocks;

namespace Enrichflow.Blocks.Tests;

/// <summary>The specs schemas of <c>GET /workflows/blocks</c>: descriptions, enums and an example that validates (docs/adding-a-block.md).</summary>
public sealed class SpecsSchemaTests
{
    private static IEnumerable<BlockType> Types => BlockCatalogKit.Registry.All;

    [Fact]
    public void Every_block_has_an_example_of_its_specs_that_compiles_without_error_or_warning()
    {
        Assert.All(BlockCatalogKit.RegistryWithProviders.All, type =>
        {
            Assert.False(type.SpecsExample is null, $"{type.Name} has no SpecsExample");
            var (block, errors, warnings) = BlockCatalogKit.Compile(type, type.SpecsExample!);
            Assert.True(errors.Count == 0, $"{type.Name}: {string.Join("; ", errors.Select(e => e.Msg))}");
            Assert.True(warnings.Count == 0, $"{type.Name}: {string.Join("; ", warnings.Select(w => w.Msg))}");
            Assert.NotNull(block);
        });
    }

    [Fact]
    public void The_example_is_in_the_schema_as_examples()
    {
        var filter = BlockCatalogKit.Registry.Find("filter")!;
        var examples = Assert.IsType<JsonArray>(filter.SpecsSchema()["examples"]);
        Assert.Equal(JsonNode.Parse(filter.SpecsExample!)!.ToJsonString(), Assert.Single(examples)!.ToJsonString());
    }

    [Fact]
    public void Every_property_of_every_specs_schema_has_a_description()
    {
        Assert.All(Types, type =>
        {
            foreach (var (name, property) in Properties(type.SpecsSchema()))
            {
                Assert.False(string.IsNullOrWhiteSpace(property["description"]?.GetValue<string>()), $"{type.Name}.{name} has no description");
            }
        });
    }

    [Fact]
    public void A_nested_object_has_its_descriptions_too()
    {
        var operation = Properties(BlockCatalogKit.Registry.Find("transform")!.SpecsSchema()).Single(p => p.Name == "operations").Schema["items"]!;
        Assert.Contains("new name", operation["properties"]!["to"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("filter", "filters.operator", "is_not_empty")]
    [InlineData("filter", "filters.logic", "or")]
    [InlineData("transform", "operations.op", "extract_domain")]
    [InlineData("deduplicate", "keep", "last")]
    [InlineData("merge", "mode", "join")]
    [InlineData("merge", "join_type", "inner")]
    [InlineData("read_notebook", "dataframe_type", "COMPANY")]
    [InlineData("webhook", "dataframe_type", "LEAD")]
    public void Fixed_sets_of_values_are_enums(string block, string path, string value)
    {
        var schema = BlockCatalogKit.Registry.Find(block)!.SpecsSchema();
        foreach (var step in path.Split('.'))
        {
            schema = schema["properties"]![step]!;
            schema = schema["items"] ?? schema;
        }

        Assert.Contains(value, schema["enum"]!.AsArray().Select(v => v?.GetValue<string>()));
    }

    [Fact]
    public void The_filter_operator_enum_is_exactly_the_operators_the_filter_accepts()
    {
        var operators = BlockCatalogKit.Registry.Find("filter")!.SpecsSchema()["properties"]!["filters"]!["items"]!["properties"]!["operator"]!["enum"]!
            .AsArray().Select(v => v?.GetValue<string>()).OfType<string>().ToList();
        var (_, errors, _) = BlockCatalogKit.Compile(BlockCatalogKit.Registry.Find("filter")!, """{"filters": [{"column": "a", "operator": "nope"}]}""");
        var listed = errors.Single().Msg.Split("valid operators are ")[1].TrimEnd('.').Split(", ");
        Assert.Equal(listed, operators);
    }

    [Fact]
    public void The_transform_op_enum_is_exactly_the_ops_the_transform_accepts()
    {
        var type = BlockCatalogKit.Registry.Find("transform")!;
        var ops = type.SpecsSchema()["properties"]!["operations"]!["items"]!["properties"]!["op"]!["enum"]!
            .AsArray().Select(v => v?.GetValue<string>()).OfType<string>().ToList();
        var (_, errors, _) = BlockCatalogKit.Compile(type, """{"operations": [{"op": "nope", "column": "a"}]}""");
        Assert.Equal(errors.Single().Msg.Split("valid ops are ")[1].TrimEnd('.').Split(", "), ops);
    }

    private static IEnumerable<(string Name, JsonNode Schema)> Properties(JsonNode schema) =>
        schema["properties"]!.AsObject().Select(p => (p.Key, p.Value!));
}

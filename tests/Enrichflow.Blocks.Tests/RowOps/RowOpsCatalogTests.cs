using Enrichflow.Blocks.RowOps;
using Enrichflow.Core.Blocks;

namespace Enrichflow.Blocks.Tests.RowOps;

public sealed class RowOpsCatalogTests
{
    public static TheoryData<BlockType> Types => [new FilterBlockType(), new TransformBlockType(), new RemoveColumnsBlockType()];

    [Theory]
    [MemberData(nameof(Types))]
    public void Specs_schema_is_generated_from_the_specs_type(BlockType type)
    {
        var schema = type.SpecsSchema().ToJsonString();
        Assert.Contains("\"properties\"", schema, StringComparison.Ordinal);
    }

    [Fact]
    public void Required_specs_are_marked_required_in_the_schema()
    {
        Assert.Contains("\"required\":[\"operations\"]", new TransformBlockType().SpecsSchema().ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("\"required\":[\"columns\"]", new RemoveColumnsBlockType().SpecsSchema().ToJsonString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("filter", typeof(FilterBlockType))]
    [InlineData("transform", typeof(TransformBlockType))]
    [InlineData("remove_columns", typeof(RemoveColumnsBlockType))]
    public void A_workflow_block_named_in_the_catalogue_is_that_row_op(string blockName, Type expected)
    {
        Assert.IsType(expected, BlockCatalogKit.Registry.Resolve(blockName, "custom"));
        Assert.Contains(blockName, BlockCatalogKit.Registry.KnownNames().Split(", "));
    }
}

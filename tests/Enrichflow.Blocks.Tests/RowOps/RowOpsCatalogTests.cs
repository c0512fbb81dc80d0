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

    [Fact]
    public void Names_match_the_catalogue()
    {
        Assert.Equal("filter", new FilterBlockType().Name);
        Assert.Equal("transform", new TransformBlockType().Name);
        Assert.Equal("remove_columns", new RemoveColumnsBlockType().Name);
    }
}

using Enrichflow.Blocks.RowOps;

namespace Enrichflow.Blocks.Tests.RowOps;

public sealed class RemoveColumnsBlockTests
{
    private static readonly RemoveColumnsBlockType Type = new();

    [Fact]
    public async Task Listed_columns_are_dropped_from_every_row()
    {
        var block = RowOpsKit.CompileOk(Type, """{"columns": ["b", "missing"]}""");
        var output = await RowOpsKit.RunAsync(block, """{"a": 1, "b": 2, "c": 3}""", """{"b": 5}""");
        Assert.Equal(["a", "c"], output.Rows[0].Keys);
        Assert.Empty(output.Rows[1].Keys);
        Assert.Equal(["b", "missing"], block.RemovesColumns);
        Assert.Empty(output.Rejects);
    }

    [Fact]
    public void Empty_columns_is_an_error_at_columns() =>
        Assert.Equal(["blocks", 0, "specs", "columns"], RowOpsKit.SingleError(Type, """{"columns": []}""").Loc);

    [Fact]
    public void A_blank_column_name_is_an_error_at_its_index() =>
        Assert.Equal(["blocks", 0, "specs", "columns", 1], RowOpsKit.SingleError(Type, """{"columns": ["a", " "]}""").Loc);

    [Fact]
    public void Missing_columns_is_an_error()
    {
        var (block, errors) = RowOpsKit.Compile(Type, """{}""");
        Assert.Null(block);
        Assert.Single(errors);
    }
}

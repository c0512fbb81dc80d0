using System.Text.Json;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Rows;

namespace Enrichflow.Blocks.Tests.Validation;

/// <summary>Compiles a block from JSON specs and runs one chunk through it, as the engine would.</summary>
internal static class BlockTestKit
{
    public static CompiledBlock? TryCompile(BlockType type, string specsJson, out List<DefinitionError> errors)
    {
        errors = [];
        using var document = JsonDocument.Parse(specsJson);
        var definition = new BlockDefinition(1, type.Name, type.Name, "check", document.RootElement.Clone());
        return type.Compile(new BlockCompileContext(definition, ["blocks", 0, "specs"], errors));
    }

    public static RowBlock Compile(BlockType type, string specsJson = "{}")
    {
        var compiled = TryCompile(type, specsJson, out var errors);
        Assert.Empty(errors);
        return Assert.IsAssignableFrom<RowBlock>(compiled);
    }

    public static Row Row(long index, params (string Column, object? Value)[] values)
    {
        var row = new Row(index);
        foreach (var (column, value) in values)
        {
            row[column] = value;
        }

        return row;
    }

    public static async Task<List<Row>> RunAsync(RowBlock block, IServiceProvider services, params Row[] rows)
    {
        var output = new ChunkOutput(rows.Length);
        var context = new BlockRunContext
        {
            RunId = Guid.CreateVersion7(),
            OrgId = "default",
            BlockId = "check",
            Services = services,
        };
        await block.ProcessAsync(new RowChunk(0, [.. rows]), output, context, TestContext.Current.CancellationToken);
        Assert.Empty(output.Rejects);
        Assert.Equal(rows.Select(r => r.Index), output.Rows.Select(r => r.Index));
        return output.Rows;
    }
}

using System.Text.Json;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Rows;
using Enrichflow.Fakes;

namespace Enrichflow.Blocks.Tests.RowOps;

/// <summary>Compiles a block from specs written as JSON and runs it over rows written as JSON.</summary>
internal static class RowOpsKit
{
    public static (CompiledBlock? Block, List<DefinitionError> Errors) Compile(BlockType type, string specsJson)
    {
        using var document = JsonDocument.Parse(specsJson);
        var definition = new BlockDefinition(1, type.Name, type.Name, "block_1", document.RootElement.Clone());
        var errors = new List<DefinitionError>();
        var block = type.Compile(new BlockCompileContext(definition, ["blocks", 0, "specs"], errors));
        return (block, errors);
    }

    public static RowBlock CompileOk(BlockType type, string specsJson)
    {
        var (block, errors) = Compile(type, specsJson);
        Assert.Empty(errors);
        return Assert.IsAssignableFrom<RowBlock>(block);
    }

    public static DefinitionError SingleError(BlockType type, string specsJson)
    {
        var (block, errors) = Compile(type, specsJson);
        Assert.Null(block);
        return Assert.Single(errors);
    }

    public static async Task<ChunkOutput> RunAsync(RowBlock block, params string[] rows)
    {
        var chunk = new RowChunk(0, [.. rows.Select((json, i) => ExpressionRows.Of(json, i))]);
        var output = new ChunkOutput(chunk.Count);
        var context = new BlockRunContext { RunId = Guid.NewGuid(), OrgId = "org", BlockId = "block_1", Services = new NoServices() };
        await block.ProcessAsync(chunk, output, context, TestContext.Current.CancellationToken);
        return output;
    }

    private sealed class NoServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }
}

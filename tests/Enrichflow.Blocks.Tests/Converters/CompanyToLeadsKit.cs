using System.Text.Json;
using Enrichflow.Blocks.Converters;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;
using Enrichflow.Fakes;
using Enrichflow.Blocks.Tests.RowOps;

namespace Enrichflow.Blocks.Tests.Converters;

/// <summary>Compiles <c>company_to_leads</c> and runs it over company rows written as JSON, with chosen row indexes.</summary>
internal static class CompanyToLeadsKit
{
    public static readonly CompanyToLeadsBlockType Type = new();

    public static RowBlock Block(string specsJson = "{}") => RowOpsKit.CompileOk(Type, specsJson);

    public static Task<ChunkOutput> RunAsync(params string[] rows) => RunAsync(Block(), rows);

    public static Task<ChunkOutput> RunAsync(RowBlock block, params string[] rows) =>
        RunAsync(block, [.. rows.Select((json, i) => ExpressionRows.Of(json, i))]);

    public static async Task<ChunkOutput> RunAsync(RowBlock block, List<Row> rows)
    {
        var chunk = new RowChunk(0, rows);
        var output = new ChunkOutput(chunk.Count);
        var context = new BlockRunContext { RunId = Guid.NewGuid(), OrgId = "org", BlockId = "block_1", Services = new NoServices() };
        await block.ProcessAsync(chunk, output, context, TestContext.Current.CancellationToken);
        return output;
    }

    /// <summary>A row as JSON text (values written the way NDJSON results write them), for compact assertions.</summary>
    public static string Json(Row row)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            RowValues.WriteRow(writer, row);
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private sealed class NoServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }
}

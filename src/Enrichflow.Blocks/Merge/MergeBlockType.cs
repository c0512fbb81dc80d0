using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;

namespace Enrichflow.Blocks.Merge;

/// <summary>Specs of <c>merge</c> (API.md §5).</summary>
/// <param name="Mode"><c>union</c> (rows of the first input, then the second, columns unioned).</param>
public sealed record MergeSpecs(string Mode = "union", object? JoinKey = null, string? JoinType = null);

/// <summary>
/// <c>merge</c> with two or more inputs. <c>union</c> concatenates the inputs: every row of the first input in
/// its order, then the second's; a row keeps its columns (the result files carry the union of them).
/// </summary>
public sealed class MergeBlockType : BlockType<MergeSpecs>
{
    /// <summary>Room for each input's row numbers: row i of input n becomes row n × 2^44 + i of the merge.</summary>
    internal const int InputShift = 44;

    public override string Name => "merge";

    public override string Description => "Merges two or more inputs: union concatenates them (the first input's rows, then the second's; columns unioned).";

    public override BlockRole Role => BlockRole.Merge;

    protected override CompiledBlock? Compile(MergeSpecs specs, BlockCompileContext context)
    {
        switch (specs.Mode?.Trim().ToLowerInvariant())
        {
            case "union":
                return new UnionBlock();
            case "join":
                context.AddError("mode", $"Block '{context.Definition.BlockId}': mode 'join' is not available in this build yet; use 'union'.");
                return null;
            default:
                context.AddError("mode", $"Block '{context.Definition.BlockId}': mode must be 'union' or 'join' (got '{specs.Mode}').");
                return null;
        }
    }

    private sealed class UnionBlock : MergeBlock
    {
        public override IReadOnlyList<string>? OutputColumns(IReadOnlyList<string> input) => null;

        public override ValueTask ProcessAsync(int inputIndex, RowChunk input, ChunkOutput output, BlockRunContext context, CancellationToken cancellationToken)
        {
            foreach (var row in input.Rows)
            {
                var copy = new Row(((long)inputIndex << InputShift) | row.Index, row.Count);
                foreach (var (column, value) in row)
                {
                    copy.Add(column, value);
                }

                output.Emit(copy);
            }

            return ValueTask.CompletedTask;
        }
    }
}

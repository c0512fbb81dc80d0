using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;

namespace Enrichflow.Blocks.Merge;

/// <summary>Specs of <c>merge</c> (docs/api.md §5).</summary>
public sealed record MergeSpecs(
    [property: Description("union: the first input's rows, then the second's, columns unioned; join: each row of the first input with the matching rows of the second.")]
    [property: AllowedValues("union", "join")]
    string Mode = "union",
    [property: Description("join: the columns matched (trimmed, case ignored).")] JoinKeySpecs? JoinKey = null,
    [property: Description("join: left keeps a first-input row without a match, inner sends it to rejects (left by default).")][property: AllowedValues("left", "inner")] string? JoinType = null);

/// <summary>The columns a join matches on: <paramref name="Left"/> in the first input, <paramref name="Right"/> in the second.</summary>
public sealed record JoinKeySpecs(
    [property: Description("The column of the first input.")] string? Left = null,
    [property: Description("The column of the second input.")] string? Right = null);

/// <summary>
/// <c>merge</c> with two or more inputs. <c>union</c> concatenates the inputs: every row of the first input in
/// its order, then the second's; a row keeps its columns (the result files carry the union of them).
/// </summary>
public sealed class MergeBlockType : BlockType<MergeSpecs>
{
    /// <summary>Room for each input's row numbers: row i of input n becomes row n × 2^44 + i of the merge.</summary>
    internal const int InputShift = 44;

    public override string Name => "merge";

    public override string SpecsExample => """
        {"mode": "join", "join_key": {"left": "company_domain", "right": "domain"}, "join_type": "left"}
        """;

    public override string Description => "Merges two or more inputs: union concatenates them (the first input's rows, then the second's; columns unioned).";

    public override BlockRole Role => BlockRole.Merge;

    protected override CompiledBlock? Compile(MergeSpecs specs, BlockCompileContext context)
    {
        switch (specs.Mode?.Trim().ToLowerInvariant())
        {
            case "union":
                return new UnionBlock();
            case "join":
                return CompileJoin(specs, context);
            default:
                context.AddError("mode", $"Block '{context.Definition.BlockId}': mode must be 'union' or 'join' (got '{specs.Mode}').");
                return null;
        }
    }

    private static JoinBlock? CompileJoin(MergeSpecs specs, BlockCompileContext context)
    {
        var id = context.Definition.BlockId;
        if (string.IsNullOrWhiteSpace(specs.JoinKey?.Left))
        {
            context.AddError(["join_key", "left"], $"Block '{id}': a join needs join_key.left, the column of the first input to match on.");
        }

        if (string.IsNullOrWhiteSpace(specs.JoinKey?.Right))
        {
            context.AddError(["join_key", "right"], $"Block '{id}': a join needs join_key.right, the column of the second input to match on.");
        }

        var type = specs.JoinType?.Trim().ToLowerInvariant() ?? "left";
        if (type is not ("left" or "inner"))
        {
            context.AddError("join_type", $"Block '{id}': join_type must be 'left' or 'inner' (got '{specs.JoinType}').");
        }

        return context.ErrorCount > 0 ? null : new JoinBlock(specs.JoinKey!.Left!, specs.JoinKey.Right!, inner: type == "inner");
    }

    private sealed class UnionBlock : MergeBlock
    {
        public override IReadOnlyList<string>? OutputColumns(IReadOnlyList<string> input) => null;

        public override ValueTask ProcessAsync(int inputIndex, RowChunk input, ChunkOutput output, BlockRunContext context, CancellationToken cancellationToken)
        {
            foreach (var row in input.Rows)
            {
                output.Emit(row.CopyAs(((long)inputIndex << InputShift) | row.Index));
            }

            return ValueTask.CompletedTask;
        }
    }
}

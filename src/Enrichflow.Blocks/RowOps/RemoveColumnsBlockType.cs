using System.ComponentModel;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;

namespace Enrichflow.Blocks.RowOps;

/// <summary>Specs of <c>remove_columns</c>: the <paramref name="Columns"/> to drop from each row.</summary>
public sealed record RemoveColumnsSpecs(
    [property: Description("The columns dropped from every row; each must exist at this point when the columns are known.")] IReadOnlyList<string> Columns);

/// <summary>
/// <c>remove_columns</c>: drops columns from every row (docs/api.md §5). A column a row lacks is ignored. Rows are
/// edited in place: a chunk's rows belong to the unit that read them.
/// </summary>
public sealed class RemoveColumnsBlockType : BlockType<RemoveColumnsSpecs>
{
    public override string Name => "remove_columns";

    public override string SpecsExample => """
        {"columns": ["internal_id", "notes"]}
        """;

    public override bool RunsOnSample => true;

    public override string Description => "Drops the listed columns from every row.";

    protected override CompiledBlock? Compile(RemoveColumnsSpecs specs, BlockCompileContext context)
    {
        if (specs.Columns is not { Count: > 0 })
        {
            context.AddError("columns", $"Block '{context.Definition.BlockId}' needs 'columns', a non-empty list of column names.");
            return null;
        }

        for (var i = 0; i < specs.Columns.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(specs.Columns[i]))
            {
                context.AddError(["columns", i], $"Column {i} of block '{context.Definition.BlockId}' must be a non-empty name.");
            }
        }

        return new RemoveColumnsBlock([.. specs.Columns.Distinct(StringComparer.Ordinal)]);
    }

    private sealed class RemoveColumnsBlock(IReadOnlyList<string> columns) : RowBlock
    {
        public override IReadOnlyList<string> RemovesColumns => columns;

        public override bool Recomputable => true;

        // A dropped column that is not there is a typo when the columns are known; a chunk without it is no harm.
        public override IReadOnlyList<ColumnReference> ColumnReferences { get; } = [.. columns.Select(c => new ColumnReference(c) { CheckedAtRunTime = false })];

        public override ValueTask ProcessAsync(RowChunk input, ChunkOutput output, BlockRunContext context, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(input);
            ArgumentNullException.ThrowIfNull(output);
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var row in input.Rows)
            {
                foreach (var column in columns)
                {
                    row.Remove(column);
                }

                output.Emit(row);
            }

            return ValueTask.CompletedTask;
        }
    }
}

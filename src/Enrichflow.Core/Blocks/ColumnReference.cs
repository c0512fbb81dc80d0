using Enrichflow.Core.Definitions;
using Enrichflow.Core.Rows;

namespace Enrichflow.Core.Blocks;

/// <summary>
/// A column a block's specs name (docs/api.md §2.1 "column references"). The validator checks it against the columns
/// known at the block (a miss is a 400 at <see cref="PathInSpecs"/>); when they are not known before the run, the
/// engine checks it against each chunk's columns, and a column that no row of the chunk has fails the block.
/// </summary>
/// <param name="Column">The column named.</param>
/// <param name="PathInSpecs">
/// Where the specs name it (<c>["filters", 0, "column"]</c>); null to let the validator find the place by the value
/// written there. A reference whose place is neither given nor found is a default of the block, not something the user
/// wrote: it is checked before the run only.
/// </param>
public sealed record ColumnReference(string Column, IReadOnlyList<object>? PathInSpecs = null)
{
    /// <summary>For a block with several inputs: the input (0 the first) whose rows must have the column; null for every input.</summary>
    public int? Input { get; init; }

    /// <summary>
    /// False for a column the block only drops (<c>remove_columns</c>): naming one that is not there is a typo the
    /// validator reports when the columns are known, but a chunk without it is no reason to fail.
    /// </summary>
    public bool CheckedAtRunTime { get; init; } = true;
}

/// <summary>A chunk reaches a block that reads a column none of its rows has: a typo in the specs, named as such.</summary>
public sealed class MissingColumnException(string message) : Exception(message)
{
    /// <summary>
    /// Throws when a row of <paramref name="chunk"/> exists and none has one of <paramref name="columns"/>;
    /// <paramref name="reader"/> is who reads it (null: the block itself).
    /// </summary>
    public static void ThrowIfAbsent(IReadOnlyList<string> columns, RowChunk chunk, string? reader = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(chunk);
        if (columns.Count == 0 || chunk.Count == 0)
        {
            return;
        }

        foreach (var column in columns)
        {
            // Usually the first row has it: the chunk's column list is only needed for the message.
            if (!chunk.Rows.Exists(row => row.ContainsKey(column)))
            {
                var present = chunk.Columns();
                var what = reader is null ? $"column '{column}' does not exist" : $"{reader} reads column '{column}', which does not exist";
                throw new MissingColumnException($"{what}; the rows have: {List(present)}{Suggestions.DidYouMean(column, present)}");
            }
        }
    }

    private static string List(IReadOnlyList<string> columns) => columns.Count switch
    {
        0 => "no columns",
        > 40 => string.Join(", ", columns.Take(40)) + $", ... ({columns.Count} in all)",
        _ => string.Join(", ", columns),
    };
}

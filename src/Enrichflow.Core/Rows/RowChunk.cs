namespace Enrichflow.Core.Rows;

/// <summary>A slice of a run's rows: chunk <see cref="Index"/> of a block's input or output, in input order.</summary>
public sealed class RowChunk(int index, List<Row> rows)
{
    public int Index { get; } = index;

    public List<Row> Rows { get; } = rows;

    public int Count => Rows.Count;

    /// <summary>Column names in first-seen order across the chunk's rows.</summary>
    public IReadOnlyList<string> Columns()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var columns = new List<string>();
        foreach (var row in Rows)
        {
            foreach (var key in row.Keys)
            {
                if (seen.Add(key))
                {
                    columns.Add(key);
                }
            }
        }

        return columns;
    }
}

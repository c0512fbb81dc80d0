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
        if (Rows.Count == 0)
        {
            return [];
        }

        // Usually every row has the first row's columns in the same order: check that cheaply first.
        var first = Rows[0];
        var columns = new List<string>(first.Keys);
        if (Rows.TrueForAll(row => SameColumns(row, columns)))
        {
            return columns;
        }

        var seen = new HashSet<string>(columns, StringComparer.Ordinal);
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

    private static bool SameColumns(Row row, List<string> columns)
    {
        if (row.Count != columns.Count)
        {
            return false;
        }

        var i = 0;
        foreach (var key in row.Keys)
        {
            var expected = columns[i++];
            if (!ReferenceEquals(key, expected) && !string.Equals(key, expected, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}

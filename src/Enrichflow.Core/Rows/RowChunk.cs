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
        var columns = new List<string>(first.Count);
        for (var i = 0; i < first.Count; i++)
        {
            columns.Add(first.GetAt(i).Key);
        }

        var same = true;
        for (var r = 1; r < Rows.Count && same; r++)
        {
            same = SameColumns(Rows[r], columns);
        }

        if (same)
        {
            return columns;
        }

        var seen = new HashSet<string>(columns, StringComparer.Ordinal);
        foreach (var row in Rows)
        {
            for (var i = 0; i < row.Count; i++)
            {
                var key = row.GetAt(i).Key;
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

        for (var i = 0; i < columns.Count; i++)
        {
            var key = row.GetAt(i).Key;
            var expected = columns[i];
            if (!ReferenceEquals(key, expected) && !string.Equals(key, expected, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}

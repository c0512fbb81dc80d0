using System.Text;
using Enrichflow.Core.Buffers;
using Enrichflow.Core.Rows;
using nietras.SeparatedValues;

namespace Enrichflow.Engine.Results;

/// <summary>
/// A chunk's rows as CSV with its own header line: written when the chunk is committed, concatenated when the
/// block's result file is assembled (API.md §3.1 formula guard applied here).
/// </summary>
public static class CsvFragments
{
    /// <summary>Renders the fragment into <paramref name="destination"/> (nothing when there are no columns).</summary>
    public static void Render(PooledBuffer destination, IReadOnlyList<string> columns, IReadOnlyList<Row> rows, bool formulaGuard)
    {
        if (columns.Count == 0)
        {
            return;
        }

        using (var text = new StreamWriter(new PooledBufferStream(destination), Utf8, 16 * 1024, leaveOpen: false))
        {
            if (rows.Count == 0)
            {
                text.WriteLine(string.Join(',', columns.Select(Quote)));
            }
            else
            {
                using var writer = Sep.New(',').Writer(o => o with { Escape = true, WriteHeader = true }).To(text);
                var header = columns.ToArray();
                foreach (var row in rows)
                {
                    using var csvRow = writer.NewRow();
                    foreach (var column in header)
                    {
                        var value = row.TryGetValue(column, out var v) ? RowValues.ToText(v) ?? "" : "";
                        csvRow[column].Set(formulaGuard ? CsvFormulaGuard.Apply(value) : value);
                    }
                }
            }
        }
    }

    private static readonly UTF8Encoding Utf8 = new(false);

    internal static string Quote(string column) =>
        column.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + column.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : column;

    /// <summary>The length of the header record (through its newline, honouring quotes); false when no record end is in <paramref name="fragment"/>.</summary>
    public static bool TryHeaderLength(ReadOnlySpan<byte> fragment, out int length)
    {
        var quoted = false;
        for (var i = 0; i < fragment.Length; i++)
        {
            var b = fragment[i];
            if (b == (byte)'"')
            {
                quoted = !quoted;
            }
            else if (b == (byte)'\n' && !quoted)
            {
                length = i + 1;
                return true;
            }
        }

        length = fragment.Length;
        return false;
    }
}

using System.Text.Json.Nodes;
using Enrichflow.Core.Expressions;
using Enrichflow.Core.Rows;

namespace Enrichflow.Blocks.RowOps;

/// <summary>One compiled transform operation; it edits a row in place.</summary>
internal abstract class TransformStep(TransformOp op)
{
    /// <summary>The operation's wire name, for failure reasons.</summary>
    public string Op { get; } = op.ToWire();

    public abstract void Apply(Row row);
}

/// <summary><c>set</c>: writes a fixed value.</summary>
internal sealed class SetStep(string column, object? value) : TransformStep(TransformOp.Set)
{
    public override void Apply(Row row) => row[column] = value is JsonNode node ? node.DeepClone() : value;
}

/// <summary><c>expression</c>: writes the expression's value.</summary>
internal sealed class ExpressionStep(string column, RowExpression expression) : TransformStep(TransformOp.Expression)
{
    public override void Apply(Row row) => row[column] = expression.Evaluate(row);
}

/// <summary><c>rename</c>: the column keeps its place under its new name, replacing any column of that name.</summary>
internal sealed class RenameStep(string column, string to) : TransformStep(TransformOp.Rename)
{
    public override void Apply(Row row)
    {
        if (column == to || !row.TryGetValue(column, out var value))
        {
            return;
        }

        row.Remove(to);
        row.SetAt(row.IndexOf(column), to, value);
    }
}

/// <summary><c>drop</c>: removes the column.</summary>
internal sealed class DropStep(string column) : TransformStep(TransformOp.Drop)
{
    public override void Apply(Row row) => row.Remove(column);
}

/// <summary><c>lower</c>, <c>upper</c>, <c>trim</c>: change a text value; other values and absent columns stay as they are.</summary>
internal sealed class TextStep(TransformOp op, string column, Func<string, string> change) : TransformStep(op)
{
    public override void Apply(Row row)
    {
        // One lookup; a text the change leaves as it is (the same string back) is not written again.
        var index = row.IndexOf(column);
        if (index >= 0 && row.GetAt(index).Value is var value && ExpressionValues.Normalize(value) is string text
            && change(text) is var changed && !ReferenceEquals(changed, value))
        {
            row.SetAt(index, changed);
        }
    }
}

/// <summary><c>concat</c>: joins the non-empty values of <paramref name="columns"/> with the separator.</summary>
internal sealed class ConcatStep(string column, IReadOnlyList<string> columns, string separator) : TransformStep(TransformOp.Concat)
{
    public override void Apply(Row row)
    {
        if (columns.Count > Parts.Length)
        {
            row[column] = string.Join(separator, columns.Select(source => Cell.Text(row, source)).Where(text => !string.IsNullOrEmpty(text)));
            return;
        }

        // The parts on the stack, then one string of the right length (or the only part itself).
        var parts = default(Parts);
        var count = 0;
        foreach (var source in columns)
        {
            var text = Cell.Text(row, source);
            if (!string.IsNullOrEmpty(text))
            {
                parts[count++] = text;
            }
        }

        row[column] = count switch
        {
            0 => "",
            1 => parts[0],
            _ => string.Join(separator, ((ReadOnlySpan<string?>)parts)[..count]),
        };
    }

    [System.Runtime.CompilerServices.InlineArray(Length)]
    private struct Parts
    {
        public const int Length = 8;

        private string? _first;
    }
}

/// <summary>
/// <c>split</c>: the column's text cut at the separator into the <c>into</c> columns, each part trimmed.
/// Missing parts are null; the last column takes the rest when there are more parts than columns.
/// </summary>
internal sealed class SplitStep(string column, string separator, IReadOnlyList<string> into) : TransformStep(TransformOp.Split)
{
    public override void Apply(Row row)
    {
        var text = Cell.Text(row, column);
        var parts = text is null ? [] : text.Split(separator, into.Count, StringSplitOptions.TrimEntries);
        for (var i = 0; i < into.Count; i++)
        {
            row[into[i]] = i < parts.Length ? parts[i] : null;
        }
    }
}

/// <summary><c>extract_domain</c>: the domain of the email or URL in the column (see <see cref="DomainText"/>).</summary>
internal sealed class ExtractDomainStep(string column, string into) : TransformStep(TransformOp.ExtractDomain)
{
    public override void Apply(Row row) => row[into] = DomainText.FromEmailOrUrl(Cell.Text(row, column));
}

internal static class Cell
{
    /// <summary>The column's value as text (a JSON scalar unquoted); null when absent or null.</summary>
    public static string? Text(Row row, string column) =>
        row.TryGetValue(column, out var value) ? ExpressionValues.Text(value) : null;
}

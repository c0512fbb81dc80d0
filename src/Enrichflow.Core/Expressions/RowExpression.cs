using Enrichflow.Core.Rows;

namespace Enrichflow.Core.Expressions;

/// <summary>
/// A compiled expression of the small safe language shared by <c>filter</c>, <c>transform</c> and edge
/// conditions (docs/api.md §5.1). Compile once, then evaluate per row from any number of threads at once.
/// <list type="bullet">
/// <item>Columns: <c>[name]</c> (a missing column is null). Literals: <c>'text'</c> or <c>"text"</c> (backslash
/// escapes), numbers, <c>true</c>, <c>false</c>, <c>null</c>.</item>
/// <item>Logic: <c>and or not</c> (also <c>&amp;&amp; || !</c>); <c>and</c> binds tighter than <c>or</c>, and
/// <c>not</c> before a comparison negates the comparison (<c>not [a] &gt; 5</c> is <c>not ([a] &gt; 5)</c>).
/// Comparisons <c>= == != &lt;&gt; &lt; &lt;= &gt; &gt;=</c>, <c>in (a, b)</c>, <c>not in (a, b)</c>,
/// <c>cond ? a : b</c>, <c>a ?? b</c>. Arithmetic <c>+ - * / % **</c>.</item>
/// <item>Functions: lower upper trim len contains starts_with ends_with matches is_empty coalesce domain concat.</item>
/// <item>Values compare as described on <see cref="ExpressionValues"/>: numerically when both sides read as
/// numbers (CSV text included), else as text ignoring case; null equals only null; <c>!=</c> is the negation of
/// <c>=</c>; ordering with null is false.</item>
/// </list>
/// There are no member accesses, no .NET method calls, no I/O; a regex match times out (as no match).
/// </summary>
public sealed class RowExpression
{
    private readonly ExpressionNode _root;

    private RowExpression(string text, ExpressionNode root, IReadOnlyList<string> columns)
    {
        Text = text;
        _root = root;
        Columns = columns;
    }

    /// <summary>The expression as written.</summary>
    public string Text { get; }

    /// <summary>The column names the expression references with <c>[name]</c>, in order of first use.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Parses and checks <paramref name="text"/>; throws <see cref="ExpressionException"/> naming the position and what was expected.</summary>
    public static RowExpression Compile(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var (root, columns) = ExpressionCompiler.Compile(text);
        return new RowExpression(text, root, columns);
    }

    /// <summary>The same, refusing a text longer than <paramref name="maxLength"/> characters (<c>Limits:MaxExpressionLength</c>) before parsing it.</summary>
    public static RowExpression Compile(string text, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length > maxLength
            ? throw new ExpressionException($"Expression error: the expression is {text.Length} characters long; at most {maxLength} are allowed (Limits:MaxExpressionLength)")
            : Compile(text);
    }

    /// <summary>
    /// The expression's value for <paramref name="row"/>: text, a number (long or double), a bool, null, or a
    /// row's nested value. Throws <see cref="ExpressionEvaluationException"/> when the row's values do not fit
    /// (arithmetic on text that is not a number).
    /// </summary>
    public object? Evaluate(Row row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return _root.Evaluate(row);
    }

    /// <summary>
    /// Whether the expression holds for <paramref name="row"/>: true, a non-zero number or non-empty text; null,
    /// false, 0 and "" do not.
    /// </summary>
    public bool IsTrue(Row row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return _root.IsTrue(row);
    }

    public override string ToString() => Text;
}

namespace Enrichflow.Core.Expressions;

/// <summary>
/// An expression (docs/api.md §5.1) that cannot be compiled. The message names the position and what was expected,
/// for example "Expression error at position 14: expected a closing ')'".
/// </summary>
public sealed class ExpressionException : Exception
{
    public ExpressionException(string message)
        : this(message, -1, "")
    {
    }

    public ExpressionException(string message, Exception innerException)
        : base(message, innerException)
    {
        Expected = "";
        Position = -1;
    }

    public ExpressionException(string message, int position, string expected)
        : base(message)
    {
        Position = position;
        Expected = expected;
    }

    public ExpressionException()
        : this("Expression error.")
    {
    }

    /// <summary>The 0-based character offset of the problem in the expression text; -1 when unknown.</summary>
    public int Position { get; }

    /// <summary>What the parser expected at <see cref="Position"/>, e.g. "a closing ')'".</summary>
    public string Expected { get; }

    internal static ExpressionException At(int position, string expected) =>
        new(position >= 0 ? $"Expression error at position {position}: expected {expected}" : $"Expression error: expected {expected}",
            position, expected);
}

/// <summary>
/// An expression that compiled but cannot be evaluated for one row, e.g. arithmetic on text that is not a
/// number. Callers fail that row; the expression stays usable for the next one.
/// </summary>
public sealed class ExpressionEvaluationException : Exception
{
    public ExpressionEvaluationException(string message)
        : base(message)
    {
    }

    public ExpressionEvaluationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ExpressionEvaluationException()
        : this("The expression could not be evaluated.")
    {
    }
}

using Enrichflow.Core.Rows;

namespace Enrichflow.Core.Expressions;

/// <summary>
/// One node of a compiled expression. Nodes are immutable after compilation, so one tree is evaluated by
/// many threads at once.
/// </summary>
internal abstract class ExpressionNode
{
    public static readonly object True = true;

    public static readonly object False = false;

    public abstract object? Evaluate(Row row);

    public virtual bool IsTrue(Row row) => ExpressionValues.IsTruthy(Evaluate(row));

    public static object Box(bool value) => value ? True : False;
}

internal sealed class ConstantNode(object? value) : ExpressionNode
{
    public object? Value { get; } = value;

    public override object? Evaluate(Row row) => Value;
}

/// <summary><c>[name]</c>: the row's value, or null when the row has no such column.</summary>
internal sealed class ColumnNode(string name) : ExpressionNode
{
    public override object? Evaluate(Row row) => row.TryGetValue(name, out var value) ? ExpressionValues.Normalize(value) : null;
}

internal sealed class NotNode(ExpressionNode operand) : ExpressionNode
{
    public override object? Evaluate(Row row) => Box(IsTrue(row));

    public override bool IsTrue(Row row) => !operand.IsTrue(row);
}

internal sealed class AndNode(ExpressionNode left, ExpressionNode right) : ExpressionNode
{
    public override object? Evaluate(Row row) => Box(IsTrue(row));

    public override bool IsTrue(Row row) => left.IsTrue(row) && right.IsTrue(row);
}

internal sealed class OrNode(ExpressionNode left, ExpressionNode right) : ExpressionNode
{
    public override object? Evaluate(Row row) => Box(IsTrue(row));

    public override bool IsTrue(Row row) => left.IsTrue(row) || right.IsTrue(row);
}

/// <summary><c>condition ? then : else</c>.</summary>
internal sealed class ConditionalNode(ExpressionNode condition, ExpressionNode then, ExpressionNode otherwise) : ExpressionNode
{
    public override object? Evaluate(Row row) => condition.IsTrue(row) ? then.Evaluate(row) : otherwise.Evaluate(row);
}

using System.Text.Json.Nodes;
using Enrichflow.Core.Rows;

namespace Enrichflow.Core.Expressions;

/// <summary><c>=</c> / <c>==</c>, and <c>!=</c> / <c>&lt;&gt;</c> as its negation (see <see cref="ExpressionValues.AreEqual"/>).</summary>
internal sealed class EqualNode(ExpressionNode left, ExpressionNode right, bool negate) : ExpressionNode
{
    public override object? Evaluate(Row row) => Box(IsTrue(row));

    public override bool IsTrue(Row row) => ExpressionValues.AreEqual(left.Evaluate(row), right.Evaluate(row)) != negate;
}

internal enum Ordering { Less, LessOrEqual, Greater, GreaterOrEqual }

/// <summary><c>&lt; &lt;= &gt; &gt;=</c>; false when either side is null.</summary>
internal sealed class CompareNode(ExpressionNode left, ExpressionNode right, Ordering ordering) : ExpressionNode
{
    public override object? Evaluate(Row row) => Box(IsTrue(row));

    public override bool IsTrue(Row row)
    {
        if (!ExpressionValues.TryCompare(left.Evaluate(row), right.Evaluate(row), out var c))
        {
            return false;
        }

        return ordering switch
        {
            Ordering.Less => c < 0,
            Ordering.LessOrEqual => c <= 0,
            Ordering.Greater => c > 0,
            _ => c >= 0,
        };
    }
}

/// <summary>
/// <c>value in (a, b, ...)</c> and <c>not in</c>. The right side is a list, or one value: a list column
/// (membership) or a scalar (equality).
/// </summary>
internal sealed class InNode(ExpressionNode value, ExpressionNode[]? items, ExpressionNode? single, bool negate) : ExpressionNode
{
    public override object? Evaluate(Row row) => Box(IsTrue(row));

    public override bool IsTrue(Row row) => Contains(row) != negate;

    private bool Contains(Row row)
    {
        var v = value.Evaluate(row);
        if (items is not null)
        {
            foreach (var item in items)
            {
                if (ExpressionValues.AreEqual(v, item.Evaluate(row)))
                {
                    return true;
                }
            }

            return false;
        }

        var right = ExpressionValues.Normalize(single!.Evaluate(row));
        return right is JsonArray ? ExpressionValues.Contains(right, v) : ExpressionValues.AreEqual(v, right);
    }
}

/// <summary><c>a ?? b</c> and <c>coalesce(a, b, ...)</c>: the first value that is not empty (null or blank text), else the last.</summary>
internal sealed class CoalesceNode(ExpressionNode[] values) : ExpressionNode
{
    public override object? Evaluate(Row row)
    {
        object? value = null;
        foreach (var node in values)
        {
            value = node.Evaluate(row);
            if (!RowValues.IsEmpty(ExpressionValues.Normalize(value)))
            {
                return value;
            }
        }

        return value;
    }
}

internal sealed class NegateNode(ExpressionNode operand) : ExpressionNode
{
    public override object? Evaluate(Row row)
    {
        var value = ExpressionValues.Normalize(operand.Evaluate(row));
        if (value is null)
        {
            return null;
        }

        if (!ExpressionValues.TryGetNumeric(value, out var n))
        {
            throw new ExpressionEvaluationException($"Cannot negate {Arithmetic.Describe(value)}: it is not a number.");
        }

        return n.IsInteger && n.Integer != long.MinValue ? (object)(-n.Integer) : -n.AsDouble;
    }
}

using Enrichflow.Core.Rows;

namespace Enrichflow.Core.Expressions;

internal enum ArithmeticOperator { Plus, Minus, Times, Divide, Modulo, Power }

/// <summary>
/// <c>+ - * / % **</c> over numbers and numeric text. Integers stay exact until they overflow (then they become
/// floating point); division by zero gives null; null on either side gives null; <c>+</c> with text that is not
/// a number joins the texts. Anything else is an <see cref="ExpressionEvaluationException"/> for that row.
/// </summary>
internal sealed class ArithmeticNode(ExpressionNode left, ExpressionNode right, ArithmeticOperator op) : ExpressionNode
{
    public override object? Evaluate(Row row)
    {
        var a = ExpressionValues.Normalize(left.Evaluate(row));
        var b = ExpressionValues.Normalize(right.Evaluate(row));
        if (a is null || b is null)
        {
            return null;
        }

        if (ExpressionValues.TryGetNumeric(a, out var x) && ExpressionValues.TryGetNumeric(b, out var y))
        {
            return Arithmetic.Apply(op, x, y);
        }

        if (op == ArithmeticOperator.Plus && (a is string || b is string))
        {
            return ExpressionValues.Text(a) + ExpressionValues.Text(b);
        }

        throw new ExpressionEvaluationException(
            $"Cannot compute {Arithmetic.Describe(a)} {Arithmetic.Symbol(op)} {Arithmetic.Describe(b)}: both sides must be numbers.");
    }
}

internal static class Arithmetic
{
    public static object? Apply(ArithmeticOperator op, Numeric x, Numeric y)
    {
        if (x.IsInteger && y.IsInteger && TryInteger(op, x.Integer, y.Integer, out var exact))
        {
            return exact;
        }

        var a = x.AsDouble;
        var b = y.AsDouble;
        return op switch
        {
            ArithmeticOperator.Plus => a + b,
            ArithmeticOperator.Minus => a - b,
            ArithmeticOperator.Times => a * b,
            ArithmeticOperator.Divide => b == 0 ? null : a / b,
            ArithmeticOperator.Modulo => b == 0 ? null : a % b,
            _ => Math.Pow(a, b),
        };
    }

    public static string Symbol(ArithmeticOperator op) => op switch
    {
        ArithmeticOperator.Plus => "+",
        ArithmeticOperator.Minus => "-",
        ArithmeticOperator.Times => "*",
        ArithmeticOperator.Divide => "/",
        ArithmeticOperator.Modulo => "%",
        _ => "**",
    };

    public static string Describe(object? value)
    {
        var text = ExpressionValues.Text(value) ?? "null";
        if (text.Length > 40)
        {
            text = text[..40] + "...";
        }

        return value is string ? $"'{text}'" : text;
    }

    /// <summary>The exact integer result, when there is one and it fits.</summary>
    private static bool TryInteger(ArithmeticOperator op, long a, long b, out object? result)
    {
        result = null;
        try
        {
            switch (op)
            {
                case ArithmeticOperator.Plus:
                    result = checked(a + b);
                    return true;
                case ArithmeticOperator.Minus:
                    result = checked(a - b);
                    return true;
                case ArithmeticOperator.Times:
                    result = checked(a * b);
                    return true;
                case ArithmeticOperator.Divide when b == 0:
                case ArithmeticOperator.Modulo when b == 0:
                    return true;
                case ArithmeticOperator.Divide when b == -1 && a != long.MinValue:
                    result = -a;
                    return true;
                case ArithmeticOperator.Divide when b != -1 && a % b == 0:
                    result = a / b;
                    return true;
                case ArithmeticOperator.Modulo:
                    result = b == -1 ? 0L : a % b;
                    return true;
                case ArithmeticOperator.Power when b >= 0:
                    var power = Math.Pow(a, b);
                    if (Math.Abs(power) < 9e15)
                    {
                        result = (long)power;
                        return true;
                    }

                    return false;
                default:
                    return false;
            }
        }
        catch (OverflowException)
        {
            return false;
        }
    }
}

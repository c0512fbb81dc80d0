using System.Globalization;
using System.Text.RegularExpressions;
using NCalc;
using NCalc.Exceptions;

namespace Enrichflow.Core.Expressions;

/// <summary>
/// Parses an expression with NCalc's parser (syntax only: NCalc's evaluator is never used) and turns its tree
/// into <see cref="ExpressionNode"/>s with our own semantics.
/// </summary>
internal sealed partial class ExpressionCompiler
{
    private const int MaxDepth = 1000;

    private readonly string _text;
    private readonly ExpressionScanner _scan;
    private readonly List<string> _columns = [];
    private int _functionIndex;

    private ExpressionCompiler(string text, ExpressionScanner scan)
    {
        _text = text;
        _scan = scan;
    }

    public static (ExpressionNode Root, IReadOnlyList<string> Columns) Compile(string text)
    {
        var scan = ExpressionScanner.Scan(text);
        var tree = Parse(text);
        var compiler = new ExpressionCompiler(text, scan);
        var root = compiler.Build(tree, 0);
        return (root, compiler._columns);
    }

    private static LogicalExpression Parse(string text)
    {
        var options = new LogicalExpressionParserOptions { IntegerNumberType = IntegerNumberType.Int64 };
        try
        {
            return LogicalExpressionParser.Parse(text, options, CultureInfo.InvariantCulture, CancellationToken.None);
        }
        catch (NCalcParserException e)
        {
            throw FromParser(text, e);
        }
        catch (InvalidOperationException e)
        {
            throw new ExpressionException($"Expression error: expected a value between two operators ({e.Message})", e);
        }
    }

    /// <summary>Turns NCalc's "... at position (line:column)" into our position and what was expected there.</summary>
    private static ExpressionException FromParser(string text, NCalcParserException e)
    {
        var match = ParserPosition().Match(e.Message);
        if (!match.Success)
        {
            return ExpressionException.At(-1, $"a valid expression ({e.Message.TrimEnd('.')})");
        }

        var position = Offset(text, int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
        if (e.Message.StartsWith("Parenthesis not closed", StringComparison.Ordinal))
        {
            return ExpressionException.At(position, "a closing ')'");
        }

        var rest = text[position..];
        return rest.Length == 0
            ? ExpressionException.At(position, "more input")
            : ExpressionException.At(position, "an operator or the end of the expression");
    }

    private static int Offset(string text, int line, int column)
    {
        var offset = 0;
        for (var l = 1; l < line && offset < text.Length; l++)
        {
            var newline = text.IndexOf('\n', offset);
            offset = newline < 0 ? text.Length : newline + 1;
        }

        return Math.Clamp(offset + column - 1, 0, text.Length);
    }

    [GeneratedRegex(@"at position \((\d+):(\d+)\)", RegexOptions.CultureInvariant)]
    private static partial Regex ParserPosition();

    private ExpressionNode Build(LogicalExpression expression, int depth)
    {
        if (depth > MaxDepth)
        {
            throw ExpressionException.At(-1, $"an expression nested at most {MaxDepth} levels deep");
        }

        return expression switch
        {
            ValueExpression value => Constant(value),
            Identifier identifier => Identifier(identifier),
            UnaryExpression unary => Unary(unary, depth + 1),
            BinaryExpression binary => Binary(binary, depth + 1),
            TernaryExpression ternary => new ConditionalNode(
                Build(ternary.LeftExpression, depth + 1), Build(ternary.MiddleExpression, depth + 1), Build(ternary.RightExpression, depth + 1)),
            Function function => Function(function, depth + 1),
            LogicalExpressionList => throw ExpressionException.At(-1, "a single value; a list (a, b) only goes after 'in'"),
            _ => throw ExpressionException.At(-1, "a value, column, operator or function call"),
        };
    }

    private static ConstantNode Constant(ValueExpression value) => value.Value switch
    {
        string or bool or long or double or null => new ConstantNode(value.Value),
        int i => new ConstantNode((long)i),
        decimal m => new ConstantNode((double)m),
        _ => throw ExpressionException.At(-1, $"a text, number, true, false or null literal, not a {value.Type} value"),
    };

    private ExpressionNode Identifier(Identifier identifier)
    {
        // NCalc reads the bare keyword null as an identifier; [null] (a column named "null") is only a column
        // when the text has no bare null keyword.
        if (_scan.HasNullKeyword && string.Equals(identifier.Name, "null", StringComparison.OrdinalIgnoreCase))
        {
            return new ConstantNode(null);
        }

        if (!_columns.Contains(identifier.Name, StringComparer.Ordinal))
        {
            _columns.Add(identifier.Name);
        }

        return new ColumnNode(identifier.Name);
    }

    private ExpressionNode Unary(UnaryExpression unary, int depth)
    {
        var operand = Build(unary.Expression, depth);
        return unary.Type switch
        {
            UnaryExpressionType.Not => new NotNode(operand),
            UnaryExpressionType.Negate => new NegateNode(operand),
            UnaryExpressionType.Positive => operand,
            _ => throw ExpressionException.At(-1, $"a supported operator; {unary.Type} is not one"),
        };
    }

    private ExpressionNode Binary(BinaryExpression binary, int depth)
    {
        if (binary.Type is BinaryExpressionType.Like or BinaryExpressionType.NotLike)
        {
            throw ExpressionException.At(_scan.LikePosition, "a supported operator; 'like' is not one (use contains(), starts_with() or matches())");
        }

        if (binary.Type is BinaryExpressionType.In or BinaryExpressionType.NotIn
            && binary.LeftExpression is UnaryExpression { Type: UnaryExpressionType.Not } negated)
        {
            return new NotNode(Binary(new BinaryExpression(binary.Type, negated.Expression, binary.RightExpression), depth));
        }

        if (binary.Type is BinaryExpressionType.In or BinaryExpressionType.NotIn)
        {
            var value = Build(binary.LeftExpression, depth);
            var negate = binary.Type == BinaryExpressionType.NotIn;
            return binary.RightExpression is LogicalExpressionList list
                ? new InNode(value, [.. list.Select(item => Build(item, depth))], null, negate)
                : new InNode(value, null, Build(binary.RightExpression, depth), negate);
        }

        if (IsComparison(binary.Type) && binary.LeftExpression is UnaryExpression { Type: UnaryExpressionType.Not } not)
        {
            // NCalc binds not tighter than comparisons; like SQL, "not [a] > 5" means "not ([a] > 5)".
            return new NotNode(Binary(new BinaryExpression(binary.Type, not.Expression, binary.RightExpression), depth));
        }

        var left = Build(binary.LeftExpression, depth);
        var right = Build(binary.RightExpression, depth);
        return binary.Type switch
        {
            BinaryExpressionType.And => new AndNode(left, right),
            BinaryExpressionType.Or => new OrNode(left, right),
            BinaryExpressionType.Equal => new EqualNode(left, right, negate: false),
            BinaryExpressionType.NotEqual => new EqualNode(left, right, negate: true),
            BinaryExpressionType.Lesser => new CompareNode(left, right, Ordering.Less),
            BinaryExpressionType.LesserOrEqual => new CompareNode(left, right, Ordering.LessOrEqual),
            BinaryExpressionType.Greater => new CompareNode(left, right, Ordering.Greater),
            BinaryExpressionType.GreaterOrEqual => new CompareNode(left, right, Ordering.GreaterOrEqual),
            BinaryExpressionType.Plus => new ArithmeticNode(left, right, ArithmeticOperator.Plus),
            BinaryExpressionType.Minus => new ArithmeticNode(left, right, ArithmeticOperator.Minus),
            BinaryExpressionType.Times => new ArithmeticNode(left, right, ArithmeticOperator.Times),
            BinaryExpressionType.Div => new ArithmeticNode(left, right, ArithmeticOperator.Divide),
            BinaryExpressionType.Modulo => new ArithmeticNode(left, right, ArithmeticOperator.Modulo),
            BinaryExpressionType.Exponentiation => new ArithmeticNode(left, right, ArithmeticOperator.Power),
            BinaryExpressionType.Coalesce => new CoalesceNode([left, right]),
            _ => throw ExpressionException.At(-1, $"a supported operator; {binary.Type} is not one"),
        };
    }

    private static bool IsComparison(BinaryExpressionType type) => type is BinaryExpressionType.Equal or BinaryExpressionType.NotEqual
        or BinaryExpressionType.Lesser or BinaryExpressionType.LesserOrEqual or BinaryExpressionType.Greater or BinaryExpressionType.GreaterOrEqual;

    private ExpressionNode Function(Function function, int depth)
    {
        var name = function.Identifier.Name;
        var position = NextFunctionPosition(name);
        var args = function.Parameters.Select(p => Build(p, depth)).ToArray();
        return ExpressionFunctions.Create(name, args, position);
    }

    /// <summary>The position of this call: calls are visited in the order the scanner saw them, as far as names match.</summary>
    private int NextFunctionPosition(string name)
    {
        for (var i = 0; i < _scan.Functions.Count; i++)
        {
            var index = (_functionIndex + i) % _scan.Functions.Count;
            if (string.Equals(_scan.Functions[index].Name, name, StringComparison.Ordinal))
            {
                _functionIndex = index + 1;
                return _scan.Functions[index].Position;
            }
        }

        return _text.IndexOf(name, StringComparison.Ordinal);
    }
}

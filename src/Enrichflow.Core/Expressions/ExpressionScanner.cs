namespace Enrichflow.Core.Expressions;

/// <summary>
/// A first pass over an expression's text, before NCalc parses it: it finds the mistakes a user makes most
/// (an unclosed quote, bracket or parenthesis, a bare word, two operators in a row, an unknown function) and
/// reports them with their position, and it records where each function call is for later messages.
/// NCalc's parser stays the authority on the grammar.
/// </summary>
internal sealed class ExpressionScanner
{
    public const int MaxLength = 10_000;

    public const int MaxParenthesisDepth = 64;

    private static readonly string[] LongOperators = ["&&", "||", "==", "!=", "<>", "<=", ">=", "**", "<<", ">>", "??"];

    private readonly string _text;
    private readonly Stack<int> _open = new();
    private int _position;
    private bool _expectOperand = true;
    private string? _lastOperator;

    private ExpressionScanner(string text) => _text = text;

    /// <summary>Function calls in order of appearance: the name as written and its position.</summary>
    public List<(string Name, int Position)> Functions { get; } = [];

    /// <summary>True when the keyword <c>null</c> appears outside brackets.</summary>
    public bool HasNullKeyword { get; private set; }

    /// <summary>Where the first <c>like</c> keyword is; -1 when there is none.</summary>
    public int LikePosition { get; private set; } = -1;

    public static ExpressionScanner Scan(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw ExpressionException.At(0, "an expression, not empty text");
        }

        if (text.Length > MaxLength)
        {
            throw ExpressionException.At(MaxLength, $"the end of the expression (at most {MaxLength} characters)");
        }

        var scanner = new ExpressionScanner(text);
        scanner.Run();
        return scanner;
    }

    private void Run()
    {
        while (_position < _text.Length)
        {
            var c = _text[_position];
            if (char.IsWhiteSpace(c))
            {
                _position++;
            }
            else if (c is '\'' or '"')
            {
                Operand(_position);
                SkipString(c);
            }
            else if (c is '[' or '{')
            {
                Operand(_position);
                SkipColumn(c, c == '[' ? ']' : '}');
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && _position + 1 < _text.Length && char.IsAsciiDigit(_text[_position + 1])))
            {
                Operand(_position);
                SkipNumber();
            }
            else if (char.IsLetter(c) || c == '_')
            {
                Word();
            }
            else if (c == '(')
            {
                OpenParenthesis();
            }
            else if (c == ')')
            {
                CloseParenthesis();
            }
            else if (c == ',')
            {
                if (_expectOperand)
                {
                    throw ExpressionException.At(_position, "a value before ','");
                }

                if (_open.Count == 0)
                {
                    throw ExpressionException.At(_position, "an operator or the end of the expression; ',' only separates function arguments and list items");
                }

                _expectOperand = true;
                _lastOperator = ",";
                _position++;
            }
            else
            {
                Operator();
            }
        }

        if (_open.Count > 0)
        {
            throw ExpressionException.At(_text.Length, "a closing ')'");
        }

        if (_expectOperand)
        {
            throw ExpressionException.At(_text.Length, _lastOperator is null ? "a value" : $"a value, column or function call after '{_lastOperator}'");
        }
    }

    private void Operand(int position)
    {
        if (!_expectOperand)
        {
            throw ExpressionException.At(position, "an operator between two values");
        }

        _expectOperand = false;
    }

    private void SkipString(char quote)
    {
        var start = _position;
        var i = _position + 1;
        while (i < _text.Length && _text[i] != quote)
        {
            i += _text[i] == '\\' ? 2 : 1;
        }

        if (i >= _text.Length)
        {
            throw ExpressionException.At(start, $"a closing {quote} for the text that starts here");
        }

        _position = i + 1;
    }

    private void SkipColumn(char open, char close)
    {
        var start = _position;
        var end = _text.IndexOf(close, start + 1);
        if (end < 0)
        {
            throw ExpressionException.At(start, $"a closing '{close}' for the column name that starts here");
        }

        var name = _text[(start + 1)..end];
        if (string.IsNullOrWhiteSpace(name) || name.Contains(open, StringComparison.Ordinal))
        {
            throw ExpressionException.At(start, $"a column name inside {open}{close}");
        }

        _position = end + 1;
    }

    private void SkipNumber()
    {
        var i = _position;
        while (i < _text.Length && (char.IsAsciiDigit(_text[i]) || _text[i] == '.'))
        {
            i++;
        }

        if (i < _text.Length && _text[i] is 'e' or 'E')
        {
            var j = i + 1;
            if (j < _text.Length && _text[j] is '+' or '-')
            {
                j++;
            }

            if (j < _text.Length && char.IsAsciiDigit(_text[j]))
            {
                i = j;
                while (i < _text.Length && char.IsAsciiDigit(_text[i]))
                {
                    i++;
                }
            }
        }

        if (i < _text.Length && (char.IsLetter(_text[i]) || _text[i] == '_'))
        {
            throw ExpressionException.At(i, "an operator after the number");
        }

        _position = i;
    }

    private void Word()
    {
        var start = _position;
        var i = start;
        while (i < _text.Length && (char.IsLetterOrDigit(_text[i]) || _text[i] == '_'))
        {
            i++;
        }

        var word = _text[start..i];
        _position = i;
        var next = i;
        while (next < _text.Length && char.IsWhiteSpace(_text[next]))
        {
            next++;
        }

        var lower = word.ToLowerInvariant();
        if (next < _text.Length && _text[next] == '(' && lower is not ("and" or "or" or "not" or "in" or "like"))
        {
            if (!ExpressionFunctions.IsKnown(word))
            {
                throw ExpressionException.At(start, $"a known function ({ExpressionFunctions.KnownList}); '{word}' is not one");
            }

            Operand(start);
            _expectOperand = true;
            Functions.Add((word, start));
            return;
        }

        switch (lower)
        {
            case "true" or "false":
                Operand(start);
                break;
            case "null":
                Operand(start);
                HasNullKeyword = true;
                break;
            case "and" or "or" or "in":
                BinaryOperator(start, lower);
                break;
            case "like":
                LikePosition = LikePosition < 0 ? start : LikePosition;
                BinaryOperator(start, lower);
                break;
            case "not" when _expectOperand:
                _lastOperator = "not";
                break;
            case "not":
                InfixNot(start);
                break;
            default:
                throw ExpressionException.At(start, $"a column reference like [{word}], a literal, a function call or an operator; '{word}' is none of these");
        }
    }

    /// <summary>After a value, <c>not</c> must start <c>not in</c> or <c>not like</c>.</summary>
    private void InfixNot(int start)
    {
        var i = _position;
        while (i < _text.Length && char.IsWhiteSpace(_text[i]))
        {
            i++;
        }

        var end = i;
        while (end < _text.Length && char.IsLetter(_text[end]))
        {
            end++;
        }

        var next = _text[i..end].ToLowerInvariant();
        if (next is not ("in" or "like"))
        {
            throw ExpressionException.At(start, "an operator between two values ('not' after a value must start 'not in' or 'not like')");
        }

        if (_text.AsSpan(_position, i - _position) is not " ")
        {
            throw ExpressionException.At(start, $"'not {next}' written with one space between the words");
        }

        if (next == "like")
        {
            LikePosition = LikePosition < 0 ? start : LikePosition;
        }

        _position = end;
        BinaryOperator(start, "not " + next);
    }

    private void OpenParenthesis()
    {
        if (!_expectOperand)
        {
            throw ExpressionException.At(_position, "an operator before '('");
        }

        _open.Push(_position);
        if (_open.Count > MaxParenthesisDepth)
        {
            throw ExpressionException.At(_position, $"at most {MaxParenthesisDepth} nested parentheses");
        }

        _lastOperator = "(";
        _position++;
    }

    private void CloseParenthesis()
    {
        if (_open.Count == 0)
        {
            throw ExpressionException.At(_position, "an operator or the end of the expression; this ')' closes nothing");
        }

        var previous = _position - 1;
        while (previous >= 0 && char.IsWhiteSpace(_text[previous]))
        {
            previous--;
        }

        var emptyParentheses = previous >= 0 && _text[previous] == '(';
        if (_expectOperand && !emptyParentheses)
        {
            throw ExpressionException.At(_position, $"a value after '{_lastOperator}'");
        }

        _open.Pop();
        _expectOperand = false;
        _position++;
    }

    private void Operator()
    {
        var start = _position;
        var op = LongOperators.FirstOrDefault(o => string.CompareOrdinal(_text, start, o, 0, o.Length) == 0)
            ?? _text[start].ToString();
        _position += op.Length;
        switch (op)
        {
            case "-" or "+" when _expectOperand:
                _lastOperator = op;
                break;
            case "!" when _expectOperand:
                _lastOperator = op;
                break;
            case "!":
                throw ExpressionException.At(start, "an operator; '!' only goes before a value (use != to compare)");
            case "&&" or "||" or "==" or "!=" or "<>" or "<=" or ">=" or "**" or "??" or "=" or "<" or ">" or "+" or "-" or "*" or "/" or "%" or "?" or ":":
                BinaryOperator(start, op);
                break;
            case "&" or "|" or "^" or "~" or "<<" or ">>":
                throw ExpressionException.At(start, $"a supported operator; bitwise '{op}' is not one (use and, or, not)");
            default:
                throw ExpressionException.At(start, $"an operator, value or column; '{op}' is not allowed here");
        }
    }

    private void BinaryOperator(int position, string op)
    {
        if (_expectOperand)
        {
            throw ExpressionException.At(position, $"a value before '{op}'");
        }

        _expectOperand = true;
        _lastOperator = op;
    }
}

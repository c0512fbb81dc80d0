using Enrichflow.Core.Expressions;

using Enrichflow.Fakes;

namespace Enrichflow.Core.Tests.Expressions;

public sealed class ExpressionErrorTests
{
    [Theory]
    [InlineData("lower([name]", 12, "a closing ')'")]
    [InlineData("[score] > (5 + ", 15, "a closing ')'")]
    [InlineData("[score] > 5 and", 15, "a value, column or function call after 'and'")]
    [InlineData("[a] = = 2", 6, "a value before '='")]
    [InlineData("[a] 'x'", 4, "an operator between two values")]
    [InlineData("[name] = 'abc", 9, "a closing ' for the text that starts here")]
    [InlineData("[name = 'x'", 0, "a closing ']' for the column name that starts here")]
    [InlineData("[] = 1", 0, "a column name inside []")]
    [InlineData("[a] = 1)", 7, "an operator or the end of the expression; this ')' closes nothing")]
    [InlineData("name = 'x'", 0, "a column reference like [name], a literal, a function call or an operator; 'name' is none of these")]
    [InlineData("lower([a],)", 10, "a value after ','")]
    [InlineData("[a] & 1", 4, "a supported operator; bitwise '&' is not one (use and, or, not)")]
    [InlineData("[a] not 'x'", 4, "an operator between two values ('not' after a value must start 'not in' or 'not like')")]
    [InlineData("   ", 0, "an expression, not empty text")]
    [InlineData("[a] not  in ('x')", 4, "'not in' written with one space between the words")]
    [InlineData("12abc", 2, "an operator after the number")]
    [InlineData("[score] > 5 and (lower([a]) = 'x'", 33, "a closing ')'")]
    public void Parse_errors_name_the_position_and_what_was_expected(string text, int position, string expected)
    {
        var e = Assert.Throws<ExpressionException>(() => RowExpression.Compile(text));
        Assert.Equal(position, e.Position);
        Assert.Equal(expected, e.Expected);
        Assert.Equal($"Expression error at position {position}: expected {expected}", e.Message);
    }

    [Fact]
    public void An_unknown_function_is_named_with_the_known_ones()
    {
        var e = Assert.Throws<ExpressionException>(() => RowExpression.Compile("[a] = sha256([b])"));
        Assert.Equal(6, e.Position);
        Assert.Contains("'sha256' is not one", e.Message, StringComparison.Ordinal);
        Assert.Contains("lower, upper, trim, len, contains, starts_with, ends_with, matches, is_empty, coalesce, domain, concat", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("lower([a], [b])", 0, "1 argument(s) for lower()")]
    [InlineData("[x] and contains([a])", 8, "2 argument(s) for contains()")]
    [InlineData("concat()", 0, "at least 1 argument(s) for concat()")]
    public void A_wrong_argument_count_names_the_function_and_its_position(string text, int position, string expected)
    {
        var e = Assert.Throws<ExpressionException>(() => RowExpression.Compile(text));
        Assert.Equal(position, e.Position);
        Assert.StartsWith(expected, e.Expected, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_literal_pattern_is_a_compile_error()
    {
        var e = Assert.Throws<ExpressionException>(() => RowExpression.Compile("matches([a], '(unclosed')"));
        Assert.Equal(0, e.Position);
        Assert.StartsWith("a valid regular expression in matches()", e.Expected, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_pattern_from_a_row_matches_nothing() =>
        Assert.False(RowExpression.Compile("matches([a], [p])").IsTrue(ExpressionRows.Of("""{"a": "x", "p": "(unclosed"}""")));

    [Fact]
    public void Like_is_refused_with_a_suggestion()
    {
        var e = Assert.Throws<ExpressionException>(() => RowExpression.Compile("[a] like 'x%'"));
        Assert.Equal(4, e.Position);
        Assert.Contains("use contains(), starts_with() or matches()", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Math.Abs(1)")]
    [InlineData("[a].GetType()")]
    [InlineData("System.IO.File.ReadAllText('/etc/passwd')")]
    [InlineData("GetType()")]
    [InlineData("typeof([a])")]
    [InlineData("if([a], 1, 2)")]
    [InlineData("Abs(-1)")]
    [InlineData("Sqrt(4)")]
    [InlineData("ifs([a], 1, 2)")]
    [InlineData("new Object()")]
    [InlineData("#2024-01-01#")]
    [InlineData("$env")]
    [InlineData("@foo")]
    public void Nothing_outside_the_language_can_be_reached(string text) =>
        Assert.Throws<ExpressionException>(() => RowExpression.Compile(text));

    [Fact]
    public void Deep_nesting_is_refused_rather_than_overflowing_the_stack()
    {
        var text = new string('(', 1000) + "1" + new string(')', 1000);
        var e = Assert.Throws<ExpressionException>(() => RowExpression.Compile(text));
        Assert.Contains("nested parentheses", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Very_long_expressions_are_refused() =>
        Assert.Throws<ExpressionException>(() => RowExpression.Compile(string.Join(" + ", Enumerable.Repeat("1", 6000))));

    [Fact]
    public void A_long_chain_of_conditions_compiles_and_evaluates() =>
        Assert.True(RowExpression.Compile(string.Join(" and ", Enumerable.Repeat("[a] = 1", 500))).IsTrue(ExpressionRows.Of("""{"a": "1"}""")));

    [Fact]
    public void A_chain_deeper_than_the_limit_is_refused()
    {
        var e = Assert.Throws<ExpressionException>(() => RowExpression.Compile(string.Join("+", Enumerable.Repeat("1", 1500))));
        Assert.Contains("nested at most 1000 levels", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_in_later_lines_count_characters_from_the_start()
    {
        var e = Assert.Throws<ExpressionException>(() => RowExpression.Compile("[a] = 1\n and [b] = "));
        Assert.Equal(19, e.Position);
    }
}

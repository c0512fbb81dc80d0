using System.Text.Json.Nodes;
using Enrichflow.Core.Expressions;

using Enrichflow.Fakes;

namespace Enrichflow.Core.Tests.Expressions;

public sealed class RowExpressionTests
{
    private static readonly string Sample = """
        {"name": "  Jane Doe ", "email": "Jane.Doe@WWW.Acme.COM", "website": "https://www.Example.org/about",
         "score": "7", "count": 3, "ratio": 0.5, "active": true, "country": "us", "blank": "", "nothing": null,
         "tags": ["vip", "b2b"], "zip": "02134", "title": "Head of Sales"}
        """;

    private static object? Eval(string expression, string? json = null) =>
        RowExpression.Compile(expression).Evaluate(ExpressionRows.Of(json ?? Sample));

    private static bool Holds(string expression, string? json = null) =>
        RowExpression.Compile(expression).IsTrue(ExpressionRows.Of(json ?? Sample));

    [Theory]
    [InlineData("[score] > 5", true)]
    [InlineData("[score] >= 7", true)]
    [InlineData("[score] < 7", false)]
    [InlineData("[score] <= 7.0", true)]
    [InlineData("[score] = 7", true)]
    [InlineData("[score] == '7'", true)]
    [InlineData("[score] != 7", false)]
    [InlineData("[score] <> 8", true)]
    [InlineData("[count] > [score]", false)]
    [InlineData("'10' > '9'", true)]
    [InlineData("[ratio] < 1", true)]
    [InlineData("[zip] = '02134'", true)]
    public void Comparisons_read_numeric_text_as_numbers(string expression, bool expected) =>
        Assert.Equal(expected, Holds(expression));

    [Theory]
    [InlineData("[country] = 'US'", true)]
    [InlineData("[country] = 'ca'", false)]
    [InlineData("[country] > 'A'", true)]
    [InlineData("[active] = true", true)]
    [InlineData("[active] = 'TRUE'", true)]
    [InlineData("'b' > 'A'", true)]
    public void Text_comparisons_ignore_case(string expression, bool expected) =>
        Assert.Equal(expected, Holds(expression));

    [Theory]
    [InlineData("[country] in ('US', 'CA')", true)]
    [InlineData("[country] in ('DE', 'FR')", false)]
    [InlineData("[country] not in ('DE', 'FR')", true)]
    [InlineData("[score] in (5, 6, 7)", true)]
    [InlineData("[missing] in ('US')", false)]
    [InlineData("[missing] in (null, 'x')", true)]
    [InlineData("'vip' in [tags]", true)]
    [InlineData("'gov' in [tags]", false)]
    [InlineData("[country] in ('us')", true)]
    public void In_checks_membership_in_a_list(string expression, bool expected) =>
        Assert.Equal(expected, Holds(expression));

    [Theory]
    [InlineData("[missing] = null", true)]
    [InlineData("[nothing] = null", true)]
    [InlineData("[country] = null", false)]
    [InlineData("[missing] != null", false)]
    [InlineData("[country] != null", true)]
    [InlineData("[missing] > 5", false)]
    [InlineData("[missing] < 5", false)]
    [InlineData("[missing] = 'x'", false)]
    [InlineData("[missing] != 'x'", true)]
    [InlineData("null = null", true)]
    [InlineData("[blank] = null", false)]
    public void Null_equals_only_null_and_has_no_order(string expression, bool expected) =>
        Assert.Equal(expected, Holds(expression));

    [Theory]
    [InlineData("[score] > 5 and [country] = 'us'", true)]
    [InlineData("[score] > 5 && [country] = 'de'", false)]
    [InlineData("[score] > 50 or [country] = 'us'", true)]
    [InlineData("[score] > 50 || [country] = 'de'", false)]
    [InlineData("not [score] > 50", true)]
    [InlineData("![active]", false)]
    [InlineData("not [country] = 'us'", false)]
    [InlineData("not [country] in ('de')", true)]
    [InlineData("not [score] > 5 and [active]", false)]
    [InlineData("not ([score] > 5) or [active]", true)]
    [InlineData("true or false and false", true)]
    [InlineData("(true or false) and false", false)]
    [InlineData("[active] ? [score] > 5 : false", true)]
    public void Logic_combines_conditions_with_and_binding_tighter(string expression, bool expected) =>
        Assert.Equal(expected, Holds(expression));

    [Theory]
    [InlineData("[active]", true)]
    [InlineData("[count]", true)]
    [InlineData("0", false)]
    [InlineData("[ratio]", true)]
    [InlineData("[name]", true)]
    [InlineData("[blank]", false)]
    [InlineData("[nothing]", false)]
    [InlineData("[missing]", false)]
    [InlineData("false", false)]
    [InlineData("[tags]", true)]
    public void Truthiness_follows_the_value(string expression, bool expected) =>
        Assert.Equal(expected, Holds(expression));

    [Theory]
    [InlineData("[count] + 2", 5L)]
    [InlineData("[score] * 2", 14L)]
    [InlineData("[score] - [count]", 4L)]
    [InlineData("7 / 2", 3.5)]
    [InlineData("8 / 2", 4L)]
    [InlineData("7 % 4", 3L)]
    [InlineData("2 ** 10", 1024L)]
    [InlineData("-[count]", -3L)]
    [InlineData("[ratio] * 4", 2.0)]
    [InlineData("1 + 2 * 3", 7L)]
    [InlineData("9223372036854775807 + 1", 9.2233720368547758E+18)]
    public void Arithmetic_works_on_numbers_and_numeric_text(string expression, object expected) =>
        Assert.Equal(expected, Eval(expression));

    [Theory]
    [InlineData("[missing] + 1")]
    [InlineData("1 / 0")]
    [InlineData("5 % 0")]
    [InlineData("-[missing]")]
    public void Arithmetic_with_null_or_division_by_zero_gives_null(string expression) =>
        Assert.Null(Eval(expression));

    [Fact]
    public void Plus_joins_text_that_is_not_a_number() =>
        Assert.Equal("us-x", Eval("[country] + '-x'"));

    [Fact]
    public void Arithmetic_on_text_that_is_not_a_number_fails_the_row()
    {
        var e = Assert.Throws<ExpressionEvaluationException>(() => Eval("[country] * 2"));
        Assert.Contains("'us' * 2", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("lower([country])", "us")]
    [InlineData("upper([country])", "US")]
    [InlineData("trim([name])", "Jane Doe")]
    [InlineData("lower(null)", null)]
    [InlineData("upper([missing])", null)]
    [InlineData("trim([missing])", null)]
    [InlineData("domain([email])", "acme.com")]
    [InlineData("domain([website])", "example.org")]
    [InlineData("domain('not a domain')", null)]
    [InlineData("domain([missing])", null)]
    [InlineData("concat(trim([name]), ' <', lower([email]), '>')", "Jane Doe <jane.doe@www.acme.com>")]
    [InlineData("concat([missing], 'x', [count])", "x3")]
    [InlineData("coalesce([missing], [blank], [country])", "us")]
    [InlineData("coalesce([missing], [nothing])", null)]
    [InlineData("[missing] ?? 'fallback'", "fallback")]
    [InlineData("LOWER([country])", "us")]
    public void Text_functions_return_text_or_null(string expression, string? expected) =>
        Assert.Equal(expected, Eval(expression));

    [Theory]
    [InlineData("len([country])", 2L)]
    [InlineData("len([tags])", 2L)]
    [InlineData("len([missing])", 0L)]
    [InlineData("len([count])", 1L)]
    public void Len_counts_characters_or_list_items(string expression, long expected) =>
        Assert.Equal(expected, Eval(expression));

    [Theory]
    [InlineData("contains([title], 'sales')", true)]
    [InlineData("contains([title], 'marketing')", false)]
    [InlineData("contains([tags], 'VIP')", true)]
    [InlineData("contains([missing], 'x')", false)]
    [InlineData("contains([title], [missing])", false)]
    [InlineData("starts_with([title], 'head')", true)]
    [InlineData("starts_with([missing], 'head')", false)]
    [InlineData("ends_with([email], '.com')", true)]
    [InlineData("ends_with([email], '.org')", false)]
    [InlineData("matches([zip], '^[0-9]{5}$')", true)]
    [InlineData("matches([title], '^Head')", true)]
    [InlineData("matches([title], '^head')", false)]
    [InlineData("matches([missing], '.*')", false)]
    [InlineData("matches([title], [missing])", false)]
    [InlineData("matches([title], concat('^', 'Head'))", true)]
    [InlineData("is_empty([blank])", true)]
    [InlineData("is_empty([missing])", true)]
    [InlineData("is_empty([nothing])", true)]
    [InlineData("is_empty([country])", false)]
    [InlineData("is_empty([tags])", false)]
    [InlineData("is_empty([name]) = false", true)]
    public void Test_functions_return_booleans_and_false_for_null(string expression, bool expected) =>
        Assert.Equal(expected, Eval(expression));

    [Fact]
    public void Matches_gives_up_on_a_catastrophic_pattern_quickly()
    {
        var expression = RowExpression.Compile("matches([text], '(a+)+$')");
        var row = ExpressionRows.Of("""{"text": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"}""");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(expression.IsTrue(row));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Columns_lists_each_referenced_column_once_in_order()
    {
        var expression = RowExpression.Compile("[b] > 1 and lower([a]) = [b] or {c d} in ([a], 'x')");
        Assert.Equal(["b", "a", "c d"], expression.Columns);
    }

    [Fact]
    public void Null_keyword_is_not_a_column()
    {
        Assert.Equal(["x"], RowExpression.Compile("[x] = null").Columns);
    }

    [Fact]
    public void Nested_values_compare_as_their_json_text() =>
        Assert.True(RowExpression.Compile("[o] = '{\"a\":1}'").IsTrue(ExpressionRows.Of("""{"o": {"a": 1}}""")));

    [Fact]
    public void Json_scalars_behave_like_plain_values()
    {
        var row = new Enrichflow.Core.Rows.Row(0) { ["n"] = JsonValue.Create(7), ["s"] = JsonValue.Create("US") };
        Assert.True(RowExpression.Compile("[n] > 5 and [s] = 'us'").IsTrue(row));
    }

    [Fact]
    public void One_expression_evaluates_on_many_threads_at_once()
    {
        var expression = RowExpression.Compile("[score] > 5 and lower([country]) in ('us', 'ca') and matches([zip], '^[0-9]+$')");
        var rows = Enumerable.Range(0, 2000)
            .Select(i => ExpressionRows.Of($$"""{"score": "{{i % 10}}", "country": "{{(i % 2 == 0 ? "US" : "DE")}}", "zip": "0{{i}}"}""", i))
            .ToList();
        var expected = rows.Count(r => (r.Index % 10) > 5 && r.Index % 2 == 0);
        var counts = new int[8];
        Parallel.For(0, 8, t => counts[t] = rows.Count(expression.IsTrue));
        Assert.All(counts, c => Assert.Equal(expected, c));
    }
}

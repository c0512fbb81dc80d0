using Enrichflow.Blocks.RowOps;

namespace Enrichflow.Blocks.Tests.RowOps;

public sealed class FilterBlockTests
{
    private static readonly FilterBlockType Type = new();

    private static async Task<bool> KeepsAsync(string condition, string row)
    {
        var block = RowOpsKit.CompileOk(Type, $$"""{"filters": [{{condition}}]}""");
        var output = await RowOpsKit.RunAsync(block, row);
        return output.Rows.Count == 1;
    }

    [Theory]
    [InlineData("""{"column": "country", "operator": "equals", "value": "us"}""", """{"country": "US"}""", true)]
    [InlineData("""{"column": "country", "operator": "equals", "value": "ca"}""", """{"country": "US"}""", false)]
    [InlineData("""{"column": "score", "operator": "equals", "value": 7}""", """{"score": "7.0"}""", true)]
    [InlineData("""{"column": "country", "operator": "not_equals", "value": "ca"}""", """{"country": "US"}""", true)]
    [InlineData("""{"column": "country", "operator": "not_equals", "value": "ca"}""", """{}""", true)]
    [InlineData("""{"column": "title", "operator": "contains", "value": "SALES"}""", """{"title": "Head of Sales"}""", true)]
    [InlineData("""{"column": "title", "operator": "contains", "value": "cto"}""", """{"title": "Head of Sales"}""", false)]
    [InlineData("""{"column": "title", "operator": "not_contains", "value": "intern"}""", """{"title": "Head of Sales"}""", true)]
    [InlineData("""{"column": "title", "operator": "not_contains", "value": "sales"}""", """{"title": "Head of Sales"}""", false)]
    [InlineData("""{"column": "score", "operator": "greater", "value": 5}""", """{"score": "7"}""", true)]
    [InlineData("""{"column": "score", "operator": "greater", "value": 5}""", """{"score": "10"}""", true)]
    [InlineData("""{"column": "score", "operator": "greater", "value": "5"}""", """{"score": 5}""", false)]
    [InlineData("""{"column": "score", "operator": "greater_or_equal", "value": 5}""", """{"score": 5}""", true)]
    [InlineData("""{"column": "score", "operator": "less", "value": 5}""", """{"score": "4.5"}""", true)]
    [InlineData("""{"column": "score", "operator": "less", "value": 5}""", """{}""", false)]
    [InlineData("""{"column": "score", "operator": "less_or_equal", "value": 5}""", """{"score": 6}""", false)]
    [InlineData("""{"column": "country", "operator": "in", "value": ["US", "CA"]}""", """{"country": "ca"}""", true)]
    [InlineData("""{"column": "country", "operator": "in", "value": "US, CA"}""", """{"country": "CA"}""", true)]
    [InlineData("""{"column": "country", "operator": "in", "value": "US, CA"}""", """{"country": "DE"}""", false)]
    [InlineData("""{"column": "country", "operator": "not_in", "value": ["US", "CA"]}""", """{"country": "DE"}""", true)]
    [InlineData("""{"column": "country", "operator": "not_in", "value": "US,CA"}""", """{"country": "US"}""", false)]
    [InlineData("""{"column": "email", "operator": "is_empty"}""", """{"email": "  "}""", true)]
    [InlineData("""{"column": "email", "operator": "is_empty"}""", """{}""", true)]
    [InlineData("""{"column": "email", "operator": "is_not_empty"}""", """{"email": "a@b.co"}""", true)]
    [InlineData("""{"column": "email", "operator": "is_not_empty"}""", """{"email": null}""", false)]
    [InlineData("""{"column": "zip", "operator": "matches", "value": "^[0-9]{5}$"}""", """{"zip": "02134"}""", true)]
    [InlineData("""{"column": "zip", "operator": "matches", "value": "^[0-9]{5}$"}""", """{"zip": "2134"}""", false)]
    [InlineData("""{"column": "zip", "operator": "matches", "value": "^[0-9]{5}$"}""", """{}""", false)]
    public async Task Each_operator_keeps_matching_rows(string condition, string row, bool kept) =>
        Assert.Equal(kept, await KeepsAsync(condition, row));

    [Fact]
    public async Task Greater_compares_numeric_strings_as_numbers()
    {
        var block = RowOpsKit.CompileOk(Type, """{"filters": [{"column": "score", "operator": "greater", "value": 9}]}""");
        var output = await RowOpsKit.RunAsync(block, """{"score": "10"}""", """{"score": "9"}""", """{"score": "n/a"}""");
        Assert.Equal([0L], output.Rows.Select(r => r.Index));
    }

    [Fact]
    public async Task Matches_gives_up_on_a_catastrophic_pattern()
    {
        var block = RowOpsKit.CompileOk(Type, """{"filters": [{"column": "t", "operator": "matches", "value": "(a+)+$"}]}""");
        var output = await RowOpsKit.RunAsync(block, """{"t": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"}""");
        Assert.Empty(output.Rows);
        Assert.Single(output.Rejects);
    }

    [Theory]
    [InlineData(true, true, true, true)]
    [InlineData(true, false, false, false)]
    [InlineData(false, true, true, true)]
    [InlineData(true, false, true, true)]
    [InlineData(false, false, false, false)]
    public async Task And_binds_tighter_than_or(bool a, bool b, bool c, bool kept)
    {
        // a and b or c: kept when (a and b) or c.
        var block = RowOpsKit.CompileOk(Type, """
            {"filters": [
              {"column": "a", "operator": "equals", "value": true},
              {"column": "b", "operator": "equals", "value": true, "logic": "and"},
              {"column": "c", "operator": "equals", "value": true, "logic": "or"}]}
            """);
        var output = await RowOpsKit.RunAsync(block, $$"""{"a": {{Json(a)}}, "b": {{Json(b)}}, "c": {{Json(c)}}}""");
        Assert.Equal(kept, output.Rows.Count == 1);
    }

    [Fact]
    public async Task Or_then_and_groups_the_and_with_the_condition_after_the_or()
    {
        // a or b and c: kept when a or (b and c).
        var block = RowOpsKit.CompileOk(Type, """
            {"filters": [
              {"column": "a", "operator": "equals", "value": true},
              {"column": "b", "operator": "equals", "value": true, "logic": "or"},
              {"column": "c", "operator": "equals", "value": true, "logic": "and"}]}
            """);
        var output = await RowOpsKit.RunAsync(block,
            """{"a": true, "b": false, "c": false}""",
            """{"a": false, "b": true, "c": false}""",
            """{"a": false, "b": true, "c": true}""");
        Assert.Equal([0L, 2L], output.Rows.Select(r => r.Index));
    }

    [Fact]
    public async Task A_rejected_row_names_the_condition_that_failed()
    {
        var block = RowOpsKit.CompileOk(Type, """
            {"filters": [
              {"column": "score", "operator": "greater", "value": 5},
              {"column": "country", "operator": "in", "value": ["US", "CA"]}]}
            """);
        var output = await RowOpsKit.RunAsync(block, """{"score": "3", "country": "US"}""", """{"score": "8", "country": "DE"}""");
        Assert.Empty(output.Rows);
        Assert.Equal("filter: [score] greater 5 is false", output.Rejects[0].Reason);
        Assert.Equal("filter: [country] in [\"US\", \"CA\"] is false", output.Rejects[1].Reason);
        Assert.All(output.Rejects, r => Assert.False(r.Failed));
    }

    [Fact]
    public async Task A_rejected_row_names_a_failed_condition_of_every_or_group()
    {
        var block = RowOpsKit.CompileOk(Type, """
            {"filters": [
              {"column": "a", "operator": "equals", "value": 1},
              {"column": "b", "operator": "equals", "value": 2, "logic": "or"}]}
            """);
        var output = await RowOpsKit.RunAsync(block, """{"a": 0, "b": 0}""");
        Assert.Equal("filter: [a] equals 1 is false; [b] equals 2 is false", Assert.Single(output.Rejects).Reason);
    }

    [Fact]
    public async Task An_expression_filter_keeps_rows_for_which_it_is_true()
    {
        var block = RowOpsKit.CompileOk(Type, """{"expression": "[score] > 5 and [country] in ('US', 'CA')"}""");
        var output = await RowOpsKit.RunAsync(block, """{"score": "7", "country": "us"}""", """{"score": "7", "country": "de"}""");
        Assert.Equal([0L], output.Rows.Select(r => r.Index));
        Assert.Equal("filter: expression [score] > 5 and [country] in ('US', 'CA') is false", Assert.Single(output.Rejects).Reason);
        Assert.Equal(["score", "country"], block.ReadsColumns);
    }

    [Fact]
    public async Task An_expression_that_cannot_be_evaluated_fails_only_that_row()
    {
        var block = RowOpsKit.CompileOk(Type, """{"expression": "[a] * 2 > 5"}""");
        var output = await RowOpsKit.RunAsync(block, """{"a": "x"}""", """{"a": 3}""");
        Assert.Equal([1L], output.Rows.Select(r => r.Index));
        var failed = Assert.Single(output.Rejects);
        Assert.True(failed.Failed);
        Assert.Equal(1, output.FailedCount);
    }

    [Fact]
    public void Reads_the_columns_its_conditions_name()
    {
        var block = RowOpsKit.CompileOk(Type, """
            {"filters": [{"column": "a", "operator": "is_empty"}, {"column": "b", "operator": "equals", "value": 1}, {"column": "a", "operator": "is_not_empty", "logic": "or"}]}
            """);
        Assert.Equal(["a", "b"], block.ReadsColumns);
    }

    [Fact]
    public void Neither_filters_nor_expression_is_an_error()
    {
        var error = RowOpsKit.SingleError(Type, """{"filters": []}""");
        Assert.Equal(["blocks", 0, "specs"], error.Loc);
        Assert.Contains("needs 'filters'", error.Msg, StringComparison.Ordinal);
    }

    [Fact]
    public void Both_filters_and_expression_is_an_error() =>
        Assert.Contains("both", RowOpsKit.SingleError(Type, """{"filters": [{"column": "a", "operator": "is_empty"}], "expression": "true"}""").Msg, StringComparison.Ordinal);

    [Fact]
    public void An_unknown_operator_names_its_index_and_the_valid_operators()
    {
        var error = RowOpsKit.SingleError(Type, """
            {"filters": [{"column": "a", "operator": "is_empty"}, {"column": "b", "operator": "is_empty"}, {"column": "c", "operator": "bigger", "value": 1}]}
            """);
        Assert.Equal(["blocks", 0, "specs", "filters", 2, "operator"], error.Loc);
        Assert.Contains("'bigger'", error.Msg, StringComparison.Ordinal);
        Assert.Contains("equals, not_equals, contains, not_contains, greater, greater_or_equal, less, less_or_equal, in, not_in, is_empty, is_not_empty, matches", error.Msg, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_value_is_an_error_at_the_value()
    {
        var error = RowOpsKit.SingleError(Type, """{"filters": [{"column": "a", "operator": "greater"}]}""");
        Assert.Equal(["blocks", 0, "specs", "filters", 0, "value"], error.Loc);
    }

    [Fact]
    public void A_missing_column_is_an_error_at_the_column() =>
        Assert.Equal(["blocks", 0, "specs", "filters", 0, "column"], RowOpsKit.SingleError(Type, """{"filters": [{"operator": "is_empty"}]}""").Loc);

    [Fact]
    public void An_unknown_logic_is_an_error_at_the_logic() =>
        Assert.Equal(["blocks", 0, "specs", "filters", 1, "logic"], RowOpsKit.SingleError(Type, """
            {"filters": [{"column": "a", "operator": "is_empty"}, {"column": "b", "operator": "is_empty", "logic": "xor"}]}
            """).Loc);

    [Fact]
    public void A_bad_regex_is_an_error_at_the_value()
    {
        var error = RowOpsKit.SingleError(Type, """{"filters": [{"column": "a", "operator": "matches", "value": "([a-z"}]}""");
        Assert.Equal(["blocks", 0, "specs", "filters", 0, "value"], error.Loc);
        Assert.Contains("invalid regular expression", error.Msg, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expression_parse_error_is_at_the_expression_with_its_position()
    {
        var error = RowOpsKit.SingleError(Type, """{"expression": "[score] > (5 + 1"}""");
        Assert.Equal(["blocks", 0, "specs", "expression"], error.Loc);
        Assert.Contains("Expression error at position 16: expected a closing ')'", error.Msg, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_is_reported_not_just_the_first()
    {
        var (block, errors) = RowOpsKit.Compile(Type, """
            {"filters": [{"column": "a", "operator": "nope"}, {"operator": "is_empty"}, {"column": "c", "operator": "matches", "value": "("}]}
            """);
        Assert.Null(block);
        Assert.Equal(3, errors.Count);
    }

    private static string Json(bool value) => value ? "true" : "false";
}

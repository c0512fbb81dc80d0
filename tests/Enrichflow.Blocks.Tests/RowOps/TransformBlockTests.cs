using System.Text.Json.Nodes;
using Enrichflow.Blocks.RowOps;
using Enrichflow.Core.Rows;

namespace Enrichflow.Blocks.Tests.RowOps;

public sealed class TransformBlockTests
{
    private static readonly TransformBlockType Type = new();

    private static async Task<Row> TransformAsync(string operations, string row)
    {
        var block = RowOpsKit.CompileOk(Type, $$"""{"operations": {{operations}}}""");
        var output = await RowOpsKit.RunAsync(block, row);
        Assert.Empty(output.Rejects);
        return Assert.Single(output.Rows);
    }

    [Fact]
    public void Transform_data_is_an_alias() =>
        Assert.IsType<TransformBlockType>(BlockCatalogKit.Registry.Resolve("transform_data", "custom"));

    [Fact]
    public async Task Set_writes_a_value_creating_the_column()
    {
        var row = await TransformAsync("""[{"op": "set", "column": "source", "value": "import"}, {"op": "set", "column": "n", "value": 3}, {"op": "set", "column": "tags", "value": ["a"]}]""", """{"a": 1}""");
        Assert.Equal(["a", "source", "n", "tags"], row.Keys);
        Assert.Equal("import", row["source"]);
        Assert.Equal("3", RowValues.ToText(row["n"]));
        Assert.Equal("[\"a\"]", ((JsonNode)row["tags"]!).ToJsonString());
    }

    [Fact]
    public async Task Set_overwrites_an_existing_column_in_place()
    {
        var row = await TransformAsync("""[{"op": "set", "column": "a", "value": null}]""", """{"a": 1, "b": 2}""");
        Assert.Equal(["a", "b"], row.Keys);
        Assert.Null(row["a"]);
    }

    [Fact]
    public async Task Expression_writes_the_value_of_the_expression()
    {
        var row = await TransformAsync("""[{"op": "expression", "column": "total", "expression": "[price] * [qty]"}, {"op": "expression", "column": "big", "expression": "[total] > 100"}]""", """{"price": "25", "qty": 5}""");
        Assert.Equal(125L, row["total"]);
        Assert.Equal(true, row["big"]);
    }

    [Fact]
    public async Task Rename_keeps_the_column_in_its_place()
    {
        var row = await TransformAsync("""[{"op": "rename", "column": "b", "to": "beta"}]""", """{"a": 1, "b": 2, "c": 3}""");
        Assert.Equal(["a", "beta", "c"], row.Keys);
        Assert.Equal(2L, row["beta"]);
    }

    [Fact]
    public async Task Rename_onto_an_existing_column_replaces_it()
    {
        var row = await TransformAsync("""[{"op": "rename", "column": "c", "to": "a"}]""", """{"a": 1, "b": 2, "c": 3}""");
        Assert.Equal(["b", "a"], row.Keys);
        Assert.Equal(3L, row["a"]);
    }

    [Fact]
    public async Task Rename_of_an_absent_column_does_nothing() =>
        Assert.Equal(["a"], (await TransformAsync("""[{"op": "rename", "column": "x", "to": "y"}]""", """{"a": 1}""")).Keys);

    [Fact]
    public async Task Drop_removes_the_column() =>
        Assert.Equal(["a"], (await TransformAsync("""[{"op": "drop", "column": "b"}]""", """{"a": 1, "b": 2}""")).Keys);

    [Theory]
    [InlineData("lower", "  MiXed Case  ", "  mixed case  ")]
    [InlineData("upper", "  MiXed Case  ", "  MIXED CASE  ")]
    [InlineData("trim", "  MiXed Case  ", "MiXed Case")]
    public async Task Case_and_trim_change_text(string op, string input, string expected)
    {
        var row = await TransformAsync($$"""[{"op": "{{op}}", "column": "t"}]""", $$"""{"t": "{{input}}", "n": 5}""");
        Assert.Equal(expected, row["t"]);
    }

    [Fact]
    public async Task Case_leaves_numbers_nulls_and_absent_columns_alone()
    {
        var row = await TransformAsync("""[{"op": "lower", "column": "n"}, {"op": "upper", "column": "z"}, {"op": "trim", "column": "missing"}]""", """{"n": 5, "z": null}""");
        Assert.Equal(["n", "z"], row.Keys);
        Assert.Equal(5L, row["n"]);
        Assert.Null(row["z"]);
    }

    [Fact]
    public async Task Concat_joins_non_empty_values_with_the_separator()
    {
        var row = await TransformAsync("""
            [{"op": "concat", "column": "full_name", "columns": ["first", "middle", "last"], "separator": " "},
             {"op": "concat", "column": "code", "columns": ["first", "n"]}]
            """, """{"first": "Ada", "middle": "", "last": "Lovelace", "n": 7}""");
        Assert.Equal("Ada Lovelace", row["full_name"]);
        Assert.Equal("Ada7", row["code"]);
    }

    [Fact]
    public async Task Concat_of_no_one_or_more_than_eight_non_empty_values()
    {
        var row = await TransformAsync("""
            [{"op": "concat", "column": "none", "columns": ["blank", "missing"]},
             {"op": "concat", "column": "one", "columns": ["blank", "a", "missing"], "separator": "-"},
             {"op": "concat", "column": "nine", "columns": ["a", "b", "c", "d", "blank", "e", "f", "g", "h", "i"], "separator": ","},
             {"op": "lower", "column": "a"}, {"op": "upper", "column": "b"}]
            """, """{"a": "A", "b": "b", "c": 3, "d": true, "e": "e", "f": "f", "g": "g", "h": "h", "i": 1.5, "blank": ""}""");
        Assert.Equal("", row["none"]);
        Assert.Equal("A", row["one"]);
        Assert.Equal("A,b,3,true,e,f,g,h,1.5", row["nine"]);
        Assert.Equal(("a", (object?)"B"), (row["a"], row["b"]));
    }

    [Fact]
    public async Task Split_fills_the_into_columns_and_leaves_missing_parts_null()
    {
        var row = await TransformAsync("""[{"op": "split", "column": "name", "separator": " ", "into": ["first", "last", "suffix"]}]""", """{"name": "Ada Lovelace"}""");
        Assert.Equal("Ada", row["first"]);
        Assert.Equal("Lovelace", row["last"]);
        Assert.Null(row["suffix"]);
    }

    [Fact]
    public async Task Split_puts_the_rest_into_the_last_column()
    {
        var row = await TransformAsync("""[{"op": "split", "column": "tags", "into": ["first", "rest"]}]""", """{"tags": "a, b, c"}""");
        Assert.Equal("a", row["first"]);
        Assert.Equal("b, c", row["rest"]);
    }

    [Fact]
    public async Task Split_of_a_missing_value_writes_nulls()
    {
        var row = await TransformAsync("""[{"op": "split", "column": "x", "separator": "-", "into": ["a", "b"]}]""", """{}""");
        Assert.Null(row["a"]);
        Assert.Null(row["b"]);
    }

    [Fact]
    public async Task Extract_domain_reads_an_email_or_url()
    {
        var row = await TransformAsync("""
            [{"op": "extract_domain", "column": "email", "into": "email_domain"},
             {"op": "extract_domain", "column": "website"}]
            """, """{"email": "Jane@Acme.COM", "website": "https://www.example.org/x"}""");
        Assert.Equal("acme.com", row["email_domain"]);
        Assert.Equal("example.org", row["website"]);
    }

    [Fact]
    public async Task Operations_apply_in_order()
    {
        var row = await TransformAsync("""
            [{"op": "trim", "column": "email"}, {"op": "lower", "column": "email"},
             {"op": "rename", "column": "email", "to": "contact"},
             {"op": "expression", "column": "domain", "expression": "domain([contact])"},
             {"op": "drop", "column": "contact"}]
            """, """{"email": "  Ada@Example.COM "}""");
        Assert.Equal(["domain"], row.Keys);
        Assert.Equal("example.com", row["domain"]);
    }

    [Fact]
    public async Task A_row_whose_expression_fails_goes_to_rejects_unchanged_and_the_chunk_goes_on()
    {
        var block = RowOpsKit.CompileOk(Type, """{"operations": [{"op": "set", "column": "seen", "value": true}, {"op": "expression", "column": "double", "expression": "[n] * 2"}]}""");
        var output = await RowOpsKit.RunAsync(block, """{"n": "x"}""", """{"n": 4}""");
        var kept = Assert.Single(output.Rows);
        Assert.Equal(8L, kept["double"]);
        var failed = Assert.Single(output.Rejects);
        Assert.True(failed.Failed);
        Assert.Equal(0, failed.RowIndex);
        Assert.StartsWith("transform: operation 1 (expression) failed: Cannot compute 'x' * 2", failed.Reason, StringComparison.Ordinal);
        Assert.Equal(["n"], failed.Row!.Keys);
    }

    [Fact]
    public void Column_effects_are_computed_from_the_operations()
    {
        var block = RowOpsKit.CompileOk(Type, """
            {"operations": [
              {"op": "expression", "column": "total", "expression": "[price] * [qty]"},
              {"op": "expression", "column": "big", "expression": "[total] > 100"},
              {"op": "rename", "column": "sku", "to": "product"},
              {"op": "drop", "column": "internal"},
              {"op": "concat", "column": "label", "columns": ["product", "color"]},
              {"op": "split", "column": "name", "into": ["first", "last"]},
              {"op": "extract_domain", "column": "email", "into": "domain"},
              {"op": "set", "column": "tmp", "value": 1},
              {"op": "drop", "column": "tmp"}]}
            """);
        Assert.Equal(["price", "qty", "sku", "color", "name", "email"], block.ReadsColumns);
        Assert.Equal(["total", "big", "product", "label", "first", "last", "domain"], block.AddsColumns);
        Assert.Equal(["sku", "internal", "tmp"], block.RemovesColumns);
    }

    [Fact]
    public void Missing_operations_is_an_error()
    {
        var (block, errors) = RowOpsKit.Compile(Type, """{}""");
        Assert.Null(block);
        Assert.Contains("operations", Assert.Single(errors).Msg, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_operations_is_an_error_at_operations() =>
        Assert.Equal(["blocks", 0, "specs", "operations"], RowOpsKit.SingleError(Type, """{"operations": []}""").Loc);

    [Fact]
    public void An_unknown_op_names_its_index_and_the_valid_ops()
    {
        var error = RowOpsKit.SingleError(Type, """{"operations": [{"op": "drop", "column": "a"}, {"op": "explode", "column": "a"}]}""");
        Assert.Equal(["blocks", 0, "specs", "operations", 1, "op"], error.Loc);
        Assert.Contains("'explode'", error.Msg, StringComparison.Ordinal);
        Assert.Contains("set, expression, rename, drop, lower, upper, trim, concat, split, extract_domain", error.Msg, StringComparison.Ordinal);
    }

    [Fact]
    public void Op_errors_read_exactly_as_before_the_ops_became_an_enum()
    {
        const string Valid = "valid ops are set, expression, rename, drop, lower, upper, trim, concat, split, extract_domain.";
        Assert.Equal($"Operation 0 has unknown op ' Explode '; {Valid}", RowOpsKit.SingleError(Type, """{"operations": [{"op": " Explode ", "column": "a"}]}""").Msg);
        Assert.Equal($"Operation 0 needs an 'op'; {Valid}", RowOpsKit.SingleError(Type, """{"operations": [{"op": "  ", "column": "a"}]}""").Msg);
        Assert.Equal("Operation 0 (set) needs a 'column'.", RowOpsKit.SingleError(Type, """{"operations": [{"op": " SET "}]}""").Msg);
        Assert.Equal("Operation 0 (rename) needs 'to'.", RowOpsKit.SingleError(Type, """{"operations": [{"op": "Rename", "column": "a"}]}""").Msg);
        Assert.Equal("Operation 0 (extract_domain) needs 'into' to be one column name.",
            RowOpsKit.SingleError(Type, """{"operations": [{"op": "EXTRACT_DOMAIN", "column": "a", "into": 3}]}""").Msg);
        Assert.Equal("Edits columns row by row: set, expression, rename, drop, lower, upper, trim, concat, split, extract_domain.", Type.Description);
    }

    [Theory]
    [InlineData("""{"column": "a"}""", "op")]
    [InlineData("""{"op": "set"}""", "column")]
    [InlineData("""{"op": "expression", "column": "a"}""", "expression")]
    [InlineData("""{"op": "rename", "column": "a"}""", "to")]
    [InlineData("""{"op": "concat", "column": "a"}""", "columns")]
    [InlineData("""{"op": "concat", "column": "a", "columns": []}""", "columns")]
    [InlineData("""{"op": "split", "column": "a"}""", "into")]
    [InlineData("""{"op": "split", "column": "a", "into": "b"}""", "into")]
    [InlineData("""{"op": "split", "column": "a", "into": ["b"], "separator": ""}""", "separator")]
    [InlineData("""{"op": "extract_domain", "column": "a", "into": ["b", "c"]}""", "into")]
    public void A_missing_required_field_is_an_error_at_that_field(string operation, string field) =>
        Assert.Equal(["blocks", 0, "specs", "operations", 0, field], RowOpsKit.SingleError(Type, $$"""{"operations": [{{operation}}]}""").Loc);

    [Fact]
    public void An_expression_parse_error_is_at_the_operation_expression_with_its_position()
    {
        var error = RowOpsKit.SingleError(Type, """{"operations": [{"op": "expression", "column": "a", "expression": "lower([b]"}]}""");
        Assert.Equal(["blocks", 0, "specs", "operations", 0, "expression"], error.Loc);
        Assert.Contains("Expression error at position 9: expected a closing ')'", error.Msg, StringComparison.Ordinal);
    }
}

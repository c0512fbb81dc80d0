using Enrichflow.Core.Definitions;

namespace Enrichflow.Blocks.Tests;

/// <summary>Column references checked against the columns known at each block (docs/api.md §2.1): the typos that dropped every row.</summary>
public sealed class ColumnReferenceTests
{
    private const string Schema = """{"input_schema": {"email": {"type": "str"}, "full_name": {"type": "str"}, "company": {"type": "str"}}}""";

    private static string Workflow(string sourceSpecs, params (string Name, string Id, string Specs)[] blocks) => Workflow(sourceSpecs, null, blocks);

    private static string Workflow(string sourceSpecs, string? condition, params (string Name, string Id, string Specs)[] blocks)
    {
        var list = new List<string> { $$"""{"sequence_number": 1, "block_name": "webhook", "block_id": "input", "specs": {{sourceSpecs}}}""" };
        var edges = new List<string>();
        var previous = "input";
        for (var i = 0; i < blocks.Length; i++)
        {
            list.Add($$"""{"sequence_number": {{i + 2}}, "block_name": "{{blocks[i].Name}}", "block_id": "{{blocks[i].Id}}", "specs": {{blocks[i].Specs}}}""");
            var cond = i == blocks.Length - 1 && condition is not null ? $$""", "condition": "{{condition}}" """ : "";
            edges.Add($$"""{"from_block_id": "{{previous}}", "to_block_id": "{{blocks[i].Id}}"{{cond}}}""");
            previous = blocks[i].Id;
        }

        return $$"""{"blocks": [{{string.Join(", ", list)}}], "edges": [{{string.Join(", ", edges)}}]}""";
    }

    private static string Loc(DefinitionError error) => string.Join('.', error.Loc.Skip(2));

    [Fact]
    public void A_filter_on_a_misspelt_column_is_an_error_at_the_condition_with_a_suggestion()
    {
        var errors = BlockCatalogKit.Validate(Workflow(Schema,
            ("validate_email", "check", """{"check_mx": false}"""),
            ("filter", "keep", """{"filters": [{"column": "emial_status", "operator": "equals", "value": "valid"}]}""")));
        var error = Assert.Single(errors);
        Assert.Equal("blocks.2.specs.filters.0.column", Loc(error));
        Assert.StartsWith("Block 'keep' reads column 'emial_status', which does not exist at that point; did you mean 'email_status'? Known columns: company, email, ", error.Msg, StringComparison.Ordinal);
        Assert.Contains("email_status", error.Msg.Split("Known columns: ")[1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_filter_expression_and_a_transform_expression_are_checked_too()
    {
        var errors = BlockCatalogKit.Validate(Workflow(Schema,
            ("filter", "keep", """{"expression": "[emial] != ''"}"""),
            ("transform", "shape", """{"operations": [{"op": "expression", "column": "who", "expression": "concat([full_nam], ' ', [company])"}]}""")));
        Assert.Equal(["blocks.1.specs.expression", "blocks.2.specs.operations.0.expression"], errors.Select(Loc));
        Assert.Contains("did you mean 'email'?", errors[0].Msg, StringComparison.Ordinal);
        Assert.Contains("did you mean 'full_name'?", errors[1].Msg, StringComparison.Ordinal);
    }

    [Fact]
    public void Columns_written_upstream_and_renamed_ones_follow_the_flow()
    {
        var ok = BlockCatalogKit.Validate(Workflow(Schema,
            ("transform", "shape", """{"operations": [{"op": "rename", "column": "company", "to": "org"}, {"op": "extract_domain", "column": "email", "into": "domain"}]}"""),
            ("deduplicate", "dedupe", """{"key_fields": ["domain", "org"]}""")));
        Assert.Empty(ok);

        var renamedAway = BlockCatalogKit.Validate(Workflow(Schema,
            ("transform", "shape", """{"operations": [{"op": "rename", "column": "company", "to": "org"}]}"""),
            ("deduplicate", "dedupe", """{"key_fields": ["company"]}""")));
        Assert.Equal("blocks.2.specs.key_fields.0", Loc(Assert.Single(renamedAway)));
    }

    [Fact]
    public void Without_input_schema_the_columns_of_the_webhook_input_sample_are_the_known_ones()
    {
        var errors = BlockCatalogKit.Validate(Workflow("""{"webhook_input": [{"email": "a@b.co", "name": "Ann"}, {"email": "c@d.co", "phone": "+1 555"}]}""",
            ("deduplicate", "dedupe", """{"key_fields": ["emial"]}"""),
            ("remove_columns", "drop", """{"columns": ["phone", "fax"]}""")));
        Assert.Equal(["blocks.1.specs.key_fields.0", "blocks.2.specs.columns.1"], errors.Select(Loc));
        Assert.Equal("Block 'dedupe' reads column 'emial', which does not exist at that point; did you mean 'email'? Known columns: email, name, phone.", errors[0].Msg);
        Assert.StartsWith("Block 'drop' drops column 'fax'", errors[1].Msg, StringComparison.Ordinal);
    }

    [Fact]
    public void A_default_column_is_checked_against_a_declared_schema_but_not_against_a_sample()
    {
        var declared = BlockCatalogKit.Validate(Workflow("""{"input_schema": {"work_email": {}}}""", ("validate_email", "check", """{"check_mx": false}""")));
        Assert.Equal("blocks.1.specs", Loc(Assert.Single(declared)));
        Assert.Contains("reads column 'email'", declared[0].Msg, StringComparison.Ordinal);

        // A sample need not show every column the rows will carry; what the specs write is still checked against it.
        Assert.Empty(BlockCatalogKit.Validate(Workflow("""{"webhook_input": {"work_email": "a@b.co"}}""", ("validate_email", "check", """{"check_mx": false}"""))));
        Assert.Single(BlockCatalogKit.Validate(Workflow("""{"webhook_input": {"work_email": "a@b.co"}}""", ("validate_email", "check", """{"email_field": "work_emial", "check_mx": false}"""))));
    }

    [Fact]
    public void An_edge_condition_on_a_missing_column_is_an_error_at_the_edge()
    {
        var errors = BlockCatalogKit.Validate(Workflow(Schema, "[emial_status] = 'valid'",
            ("validate_email", "check", """{"check_mx": false}"""),
            ("remove_columns", "drop", """{"columns": ["company"]}""")));
        var error = Assert.Single(errors);
        Assert.Equal("edges.1.condition", Loc(error));
        Assert.StartsWith("The condition of edge 1 (check -> drop) reads column 'emial_status', which does not exist at that point; did you mean 'email_status'?", error.Msg, StringComparison.Ordinal);
    }

    [Fact]
    public void The_field_specs_of_validation_blocks_and_converters_are_checked()
    {
        var errors = BlockCatalogKit.Validate(Workflow(Schema,
            ("validate_email", "check", """{"email_field": "e-mail", "check_mx": false}"""),
            ("validate_phone", "phone", """{"phone_field": "company", "country_field": "contry"}""")));
        Assert.Equal(["blocks.1.specs.email_field", "blocks.2.specs.country_field"], errors.Select(Loc));
    }

    [Fact]
    public void A_join_key_is_checked_against_its_own_input()
    {
        var definition = """
            {"blocks": [
              {"sequence_number": 1, "block_name": "webhook", "block_id": "input", "specs": {"input_schema": {"email": {}, "domain": {}}}},
              {"sequence_number": 2, "block_name": "transform", "block_id": "people", "specs": {"operations": [{"op": "rename", "column": "domain", "to": "company_domain"}]}},
              {"sequence_number": 3, "block_name": "filter", "block_id": "companies", "specs": {"expression": "[domain] != ''"}},
              {"sequence_number": 4, "block_name": "merge", "block_id": "join", "specs": {"mode": "join", "join_key": {"left": "domain", "right": "domian"}}}],
             "edges": [{"from_block_id": "input", "to_block_id": "people"}, {"from_block_id": "input", "to_block_id": "companies"},
                       {"from_block_id": "people", "to_block_id": "join"}, {"from_block_id": "companies", "to_block_id": "join"}]}
            """;
        var errors = BlockCatalogKit.Validate(definition);
        Assert.Equal(["blocks.3.specs.join_key.left", "blocks.3.specs.join_key.right"], errors.Select(Loc));
        Assert.Equal("Block 'join' reads column 'domain', which does not exist in its input 1 ('people'). Known columns: company_domain, email.", errors[0].Msg);
        Assert.Contains("in its input 2 ('companies'); did you mean 'domain'?", errors[1].Msg, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_declared_columns_what_the_specs_write_is_left_for_the_run_to_check()
    {
        var (errors, _, plan) = BlockCatalogKit.Check(Workflow("{}", "[score] > 1",
            ("validate_email", "check", """{"check_mx": false}"""),
            ("filter", "keep", """{"filters": [{"column": "emial_status", "operator": "equals", "value": "valid"}, {"column": "email_status", "operator": "is_not_empty"}]}""")));
        Assert.Empty(errors);
        // email (validate_email's default) is not something the specs wrote; email_status is added upstream, so a chunk may lack it.
        Assert.Empty(plan!["check"].ColumnChecks);
        Assert.Equal(["emial_status"], plan["keep"].ColumnChecks.Select(c => c.Column));
        Assert.Equal(["score"], plan["keep"].Inputs[0].ColumnChecks);
    }

    [Fact]
    public void Columns_a_block_only_drops_are_not_checked_during_the_run()
    {
        var (_, _, plan) = BlockCatalogKit.Check(Workflow("{}",
            ("remove_columns", "drop", """{"columns": ["fax"]}"""),
            ("transform", "shape", """{"operations": [{"op": "drop", "column": "pager"}, {"op": "upper", "column": "name"}]}""")));
        Assert.Empty(plan!["drop"].ColumnChecks);
        Assert.Equal(["name"], plan["shape"].ColumnChecks.Select(c => c.Column));
    }

    [Fact]
    public void The_known_blocks_are_listed_once_however_many_blocks_are_unknown()
    {
        var errors = BlockCatalogKit.Validate("""
            {"blocks": [
              {"sequence_number": 1, "block_name": "webhook", "block_id": "input"},
              {"sequence_number": 2, "block_name": "teleport", "block_id": "a"},
              {"sequence_number": 3, "block_name": "levitate", "block_id": "b"}],
             "edges": [{"from_block_id": "input", "to_block_id": "a"}, {"from_block_id": "a", "to_block_id": "b"}]}
            """);
        Assert.Equal(2, errors.Count(e => e.Msg.Contains("unknown block", StringComparison.Ordinal)));
        Assert.Equal(1, errors.Count(e => e.Msg.Contains("Known blocks:", StringComparison.Ordinal)));
    }
}

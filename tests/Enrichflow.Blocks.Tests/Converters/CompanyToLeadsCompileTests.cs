using System.Text.Json;
using Enrichflow.Blocks.Converters;
using Enrichflow.Blocks.Sources;
using Enrichflow.Blocks.Validation;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;
using Enrichflow.Blocks.Tests.RowOps;

namespace Enrichflow.Blocks.Tests.Converters;

public sealed class CompanyToLeadsCompileTests
{
    private static readonly CompanyToLeadsBlockType Type = new();

    [Fact]
    public void Defaults_are_people_and_company_prefix()
    {
        var (block, errors) = RowOpsKit.Compile(Type, "{}");
        Assert.Empty(errors);
        Assert.Equal(["people"], Assert.IsAssignableFrom<RowBlock>(block).ReadsColumns);
    }

    [Theory]
    [InlineData("""{"people_field": " "}""", "people_field")]
    [InlineData("""{"people_field": ""}""", "people_field")]
    [InlineData("""{"prefix": ""}""", "prefix")]
    [InlineData("""{"people_field": 3}""", "people_field")]
    public void A_bad_spec_is_an_error_at_its_field(string specs, string field)
    {
        var error = RowOpsKit.SingleError(Type, specs);
        Assert.Equal(["blocks", 0, "specs", field], error.Loc);
        Assert.Contains(field, error.Msg, StringComparison.Ordinal);
    }

    [Fact]
    public void Both_blank_fields_are_reported_together()
    {
        var (block, errors) = RowOpsKit.Compile(Type, """{"people_field": "", "prefix": " "}""");
        Assert.Null(block);
        Assert.Equal(["people_field", "prefix"], errors.Select(e => e.Loc[^1]));
    }

    [Fact]
    public void The_specs_schema_names_both_fields()
    {
        var schema = Type.SpecsSchema().ToJsonString();
        Assert.Contains("\"people_field\"", schema, StringComparison.Ordinal);
        Assert.Contains("\"prefix\"", schema, StringComparison.Ordinal);
    }

    [Fact]
    public void A_company_webhook_feeding_validate_email_through_company_to_leads_is_valid()
    {
        var errors = Validate("""
            {"blocks": [
               {"sequence_number": 1, "block_name": "webhook", "block_type": "webhook", "block_id": "input", "specs": {"dataframe_type": "COMPANY"}},
               {"sequence_number": 2, "block_name": "company_to_leads", "block_type": "company_to_leads", "block_id": "leads", "specs": {}},
               {"sequence_number": 3, "block_name": "validate_email", "block_type": "validate_email", "block_id": "check", "specs": {}}],
             "edges": [{"from_block_id": "input", "to_block_id": "leads"}, {"from_block_id": "leads", "to_block_id": "check"}]}
            """);

        Assert.Empty(errors);
    }

    [Fact]
    public void A_company_webhook_feeding_validate_email_directly_is_refused_suggesting_company_to_leads()
    {
        var errors = Validate("""
            {"blocks": [
               {"sequence_number": 1, "block_name": "webhook", "block_type": "webhook", "block_id": "input", "specs": {"dataframe_type": "COMPANY"}},
               {"sequence_number": 2, "block_name": "validate_email", "block_type": "validate_email", "block_id": "check", "specs": {}}],
             "edges": [{"from_block_id": "input", "to_block_id": "check"}]}
            """);

        var error = Assert.Single(errors);
        Assert.Equal(["body", "workflow_definition", "blocks", 1], error.Loc);
        Assert.Contains("company_to_leads", error.Msg, StringComparison.Ordinal);
        Assert.Contains("'check'", error.Msg, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lead_webhook_feeding_company_to_leads_is_refused()
    {
        var errors = Validate("""
            {"blocks": [
               {"sequence_number": 1, "block_name": "webhook", "block_type": "webhook", "block_id": "input", "specs": {"dataframe_type": "LEAD"}},
               {"sequence_number": 2, "block_name": "company_to_leads", "block_type": "company_to_leads", "block_id": "leads", "specs": {}}],
             "edges": [{"from_block_id": "input", "to_block_id": "leads"}]}
            """);

        Assert.Contains("takes COMPANY rows but receives LEAD rows", Assert.Single(errors).Msg, StringComparison.Ordinal);
    }

    private static List<DefinitionError> Validate(string json)
    {
        using var document = JsonDocument.Parse(json);
        var errors = new List<DefinitionError>();
        var definition = DefinitionParser.Parse(document.RootElement, ["body", "workflow_definition"], errors);
        Assert.Empty(errors);
        var registry = new BlockRegistry([new WebhookBlockType(), new CompanyToLeadsBlockType(), new ValidateEmailBlockType()]);
        new DefinitionValidator(registry).Validate(definition!, errors);
        return errors;
    }
}

using System.Text;
using Enrichflow.Blocks.Sources;
using Enrichflow.Core.Blocks;
using static Enrichflow.Blocks.Tests.Sources.SourceTestKit;

namespace Enrichflow.Blocks.Tests.Sources;

public sealed class WebhookBlockTests
{
    private const string Schema = """
        {"input_schema": {"email": {"type": "str", "required": true, "description": "work email"}, "name": {"type": "str"}},
         "webhook_input": [{"email": "sample@example.com"}], "dataframe_type": "lead"}
        """;

    [Fact]
    public void Compiled_webhook_declares_its_kind_and_columns()
    {
        var block = Compile(new WebhookBlockType(), Schema);

        Assert.Equal(SourceInputKind.WebhookPayload, block.InputKind);
        Assert.Equal(DataframeType.Lead, block.DeclaredType);
        Assert.Equal(["email", "name"], block.DeclaredColumns);
    }

    [Fact]
    public void Unknown_dataframe_type_is_a_definition_error()
    {
        Assert.Null(TryCompile(new WebhookBlockType(), """{"dataframe_type": "PERSON"}""", out var errors));

        var error = Assert.Single(errors);
        Assert.Equal(["blocks", 0, "specs", "dataframe_type"], error.Loc);
        Assert.Contains("LEAD or COMPANY", error.Msg, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_specs_compile_with_nothing_declared()
    {
        var block = Compile(new WebhookBlockType());

        Assert.Null(block.DeclaredType);
        Assert.Null(block.DeclaredColumns);
    }

    [Fact]
    public async Task Row_missing_a_required_column_is_rejected()
    {
        var body = """{"webhook_payload": [{"email": "a@b.co"}, {"name": "no email"}, {"email": null}, 5]}""";

        var records = await ReadAllAsync(Compile(new WebhookBlockType(), Schema), Input(body, trickle: true));

        Assert.Equal("a@b.co", records[0].Row!["email"]);
        Assert.Equal(("missing required column 'email'", 1L), (records[1].Reject!.Reason, records[1].Reject!.RowIndex));
        Assert.Equal("no email", records[1].Reject!.Row!["name"]);
        Assert.Equal(2, records[2].Reject!.RowIndex);
        Assert.Equal(("element 3 is a number, not an object", 3L), (records[3].Reject!.Reason, records[3].Reject!.RowIndex));
    }

    [Fact]
    public async Task Strict_webhook_fails_at_a_row_missing_a_required_column()
    {
        var specs = """{"strict": true, "input_schema": {"email": {"required": true}}}""";

        var e = await Assert.ThrowsAsync<SourceFormatException>(
            () => ReadAllAsync(Compile(new WebhookBlockType(), specs), Input("""{"webhook_payload": [{"email": "x"}, {}]}""")));

        Assert.Equal("webhook_payload element 1: missing required column 'email'.", e.Message);
    }

    [Fact]
    public async Task Malformed_body_fails_the_read()
    {
        await Assert.ThrowsAsync<SourceFormatException>(
            () => ReadAllAsync(Compile(new WebhookBlockType()), Input(Encoding.UTF8.GetBytes("""{"webhook_payload": [{"a": 1},"""))));
    }

    [Fact]
    public void Specs_schemas_list_the_documented_fields()
    {
        var webhook = new WebhookBlockType().SpecsSchema()["properties"]!.AsObject();
        var readCsv = new ReadCsvBlockType().SpecsSchema()["properties"]!.AsObject();

        Assert.Equal(["input_schema", "webhook_input", "dataframe_type", "strict"], webhook.Select(p => p.Key));
        Assert.Equal(["resource_handle_id", "delimiter", "strict", "dataframe_type", "input_schema"], readCsv.Select(p => p.Key));
    }

    [Fact]
    public void Read_csv_rejects_a_delimiter_that_is_not_one_character()
    {
        Assert.Null(TryCompile(new ReadCsvBlockType(), """{"delimiter": ";;"}""", out var errors));

        Assert.Equal(["blocks", 0, "specs", "delimiter"], Assert.Single(errors).Loc);
    }

    [Fact]
    public void Read_csv_compiles_without_a_handle_and_declares_an_upload_input()
    {
        var block = Compile(new ReadCsvBlockType(), """{"dataframe_type": "Company", "delimiter": "tab"}""");

        Assert.Equal(SourceInputKind.Upload, block.InputKind);
        Assert.Equal(DataframeType.Company, block.DeclaredType);
    }
}

using Enrichflow.Core.Blocks;

namespace Enrichflow.Blocks.Tests;

/// <summary>A specs value that does not deserialize is named by block and field in a user's words, never by a .NET type (docs/api.md §2.1).</summary>
public sealed class SpecErrorWordingTests
{
    [Theory]
    [InlineData("transform", """{"operations": "trim everything"}""", "operations", "'operations' must be a list of objects.")]
    [InlineData("transform", """{"operations": [3]}""", "operations.0", "'operations[0]' must be an object.")]
    [InlineData("transform", """{"operations": [{"op": "trim", "column": 5}]}""", "operations.0.column", "'operations[0].column' must be a string.")]
    [InlineData("transform", """{}""", "operations", "'operations' is required.")]
    [InlineData("transform", """{"operations": null}""", "operations", "'operations' must not be null; give a list of objects.")]
    [InlineData("filter", """{"filters": {"column": "a"}}""", "filters", "'filters' must be a list of objects.")]
    [InlineData("filter", """{"filters": [{"column": ["a"]}]}""", "filters.0.column", "'filters[0].column' must be a string.")]
    [InlineData("filter", """{"expression": 42}""", "expression", "'expression' must be a string.")]
    [InlineData("remove_columns", """{"columns": "a,b"}""", "columns", "'columns' must be a list of strings.")]
    [InlineData("remove_columns", """{"columns": [1, 2]}""", "columns.0", "'columns[0]' must be a string.")]
    [InlineData("deduplicate", """{"normalize": "sometimes"}""", "normalize", "'normalize' must be true or false.")]
    [InlineData("deduplicate", """{"key_fields": [{"a": 1}]}""", "key_fields.0", "'key_fields[0]' must be a string.")]
    [InlineData("merge", """{"join_key": "email"}""", "join_key", "'join_key' must be an object.")]
    [InlineData("validate_email", """{"check_mx": {"on": true}}""", "check_mx", "'check_mx' must be true or false.")]
    [InlineData("validate_phone", """{"phone_field": null}""", "phone_field", "'phone_field' must not be null; give a string.")]
    [InlineData("export", """{"destination": {"batch_size": "many"}}""", "destination.batch_size", "'destination.batch_size' must be an integer.")]
    [InlineData("export", """{"destination": {"headers": {"X-Key": 5}}}""", "destination.headers.X-Key", "'destination.headers.X-Key' must be a string.")]
    [InlineData("webhook", """{"input_schema": {"email": "str"}}""", "input_schema.email", "'input_schema.email' must be an object.")]
    [InlineData("webhook", """{"strict": "no"}""", "strict", "'strict' must be true or false.")]
    [InlineData("company_to_leads", """{"people_field": 7}""", "people_field", "'people_field' must be a string.")]
    [InlineData("outgoing_webhook", """{"event_types": "run.completed"}""", "event_types", "'event_types' must be a list of strings.")]
    [InlineData("enrich_company", """{"company_field": "name", "return_fields": ["title"]}""", "return_fields", "'return_fields' must be an object.")]
    [InlineData("find_email", """{"mode": 3}""", "mode", "'mode' must be a string.")]
    public void A_value_of_the_wrong_shape_is_named_by_field_and_kind(string block, string specs, string loc, string message)
    {
        var (compiled, errors, _) = BlockCatalogKit.Compile(BlockCatalogKit.Registry.Find(block)!, specs);
        Assert.Null(compiled);
        var error = Assert.Single(errors);
        Assert.Equal($"Invalid specs for block 'b': {message}", error.Msg);
        Assert.Equal(["blocks", 0, "specs", .. loc.Split('.').Select(p => int.TryParse(p, out var i) ? (object)i : p)], error.Loc);
    }

    [Fact]
    public void No_message_of_any_block_shows_a_dotnet_type_name()
    {
        string[] malformed =
        [
            """{"operations": "x"}""", """{"operations": [1]}""", """{"filters": 1}""", """{"filters": [[]]}""", """{"columns": {}}""",
            """{"key_fields": "email"}""", """{"mode": []}""", """{"join_key": []}""", """{"destination": []}""", """{"input_schema": []}""",
            """{"return_fields": 1}""", """{"notebook_id": 5}""", """{"email_field": []}""", """{"url": {}}""", """{"people_field": []}""",
            """{"strict": []}""", """{"normalize": 2.5}""", """{"operations": [{"op": {}}]}""", """{"filters": [{"value": 1, "logic": []}]}""", "{}",
        ];
        foreach (var type in BlockCatalogKit.Registry.All)
        {
            foreach (var specs in malformed)
            {
                var (_, errors, warnings) = BlockCatalogKit.Compile(type, specs);
                foreach (var message in errors.Select(e => e.Msg).Concat(warnings.Select(w => w.Msg)))
                {
                    Assert.False(message.Contains("Enrichflow.", StringComparison.Ordinal) || message.Contains("System.", StringComparison.Ordinal),
                        $"{type.Name} with {specs}: {message}");
                }
            }
        }
    }

    [Fact]
    public void Specs_that_are_not_an_object_are_named_as_such()
    {
        var (_, errors, _) = BlockCatalogKit.Compile(BlockCatalogKit.Registry.Find("transform")!, "[1, 2]");
        Assert.Equal("Invalid specs for block 'b': the specs must be an object.", Assert.Single(errors).Msg);
    }
}

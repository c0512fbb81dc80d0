using System.Text.Json.Nodes;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;
using Enrichflow.Fakes;
using static Enrichflow.Blocks.Tests.Converters.CompanyToLeadsKit;

namespace Enrichflow.Blocks.Tests.Converters;

public sealed class CompanyToLeadsBlockTests
{
    [Fact]
    public async Task Each_person_of_a_json_list_becomes_a_lead_carrying_the_company_columns()
    {
        var output = await RunAsync("""
            {"name": "Acme", "domain": "acme.com",
             "people": [{"name": "Ann", "email": "ann@acme.com"}, {"name": "Bob", "email": "bob@acme.com"}]}
            """);

        Assert.Empty(output.Rejects);
        Assert.Equal(
            [
                """{"name":"Ann","email":"ann@acme.com","company_name":"Acme","company_domain":"acme.com"}""",
                """{"name":"Bob","email":"bob@acme.com","company_name":"Acme","company_domain":"acme.com"}""",
            ],
            output.Rows.Select(Json));
    }

    [Fact]
    public async Task People_as_json_text_from_a_csv_are_parsed()
    {
        var output = await RunAsync("""
            {"name": "Acme", "people": "  [{\"name\": \"Ann\", \"age\": 41, \"score\": 0.5, \"vip\": true, \"tags\": [\"a\"]}]  "}
            """);

        Assert.Empty(output.Rejects);
        var lead = Assert.Single(output.Rows);
        Assert.Equal("""{"name":"Ann","age":41,"score":0.5,"vip":true,"tags":["a"],"company_name":"Acme"}""", Json(lead));
        Assert.IsType<long>(lead["age"]);
        Assert.IsType<double>(lead["score"]);
        Assert.IsType<bool>(lead["vip"]);
        Assert.Null(Assert.IsType<JsonArray>(lead["tags"]).Parent);
    }

    [Fact]
    public async Task A_text_entry_becomes_a_lead_with_that_name()
    {
        var output = await RunAsync("""{"name": "Acme", "people": ["Ann Lee", "Bob Roe"]}""");

        Assert.Equal(
            ["""{"name":"Ann Lee","company_name":"Acme"}""", """{"name":"Bob Roe","company_name":"Acme"}"""],
            output.Rows.Select(Json));
    }

    [Fact]
    public async Task A_custom_people_field_and_prefix_are_used()
    {
        var block = Block("""{"people_field": "staff", "prefix": "org."}""");
        var output = await RunAsync(block, """{"name": "Acme", "people": "kept", "staff": [{"name": "Ann"}]}""");

        Assert.Equal("""{"name":"Ann","org.name":"Acme","org.people":"kept"}""", Json(Assert.Single(output.Rows)));
    }

    [Fact]
    public async Task A_column_already_prefixed_is_not_prefixed_twice_and_wins_a_clash()
    {
        var output = await RunAsync("""
            {"name": "acme", "company_name": "Acme Inc.", "company_size": 40, "people": [{"title": "CEO"}]}
            """);

        Assert.Equal("""{"title":"CEO","company_name":"Acme Inc.","company_size":40}""", Json(Assert.Single(output.Rows)));
    }

    [Fact]
    public async Task A_person_field_named_like_a_carried_column_keeps_the_persons_value_when_present()
    {
        var output = await RunAsync("""
            {"name": "Acme", "people": [{"name": "Ann", "company_name": "Acme EMEA"}, {"name": "Bob"}]}
            """);

        Assert.Equal(
            ["""{"name":"Ann","company_name":"Acme EMEA"}""", """{"name":"Bob","company_name":"Acme"}"""],
            output.Rows.Select(Json));
    }

    [Fact]
    public async Task Columns_are_the_person_fields_in_first_seen_order_then_the_company_columns_for_every_lead()
    {
        var output = await RunAsync(
            """{"name": "Acme", "people": [{"name": "Ann", "email": "ann@acme.com"}, {"title": "CTO", "name": "Bob"}]}""",
            """{"name": "Beta", "city": "Oslo", "people": [{"phone": "+4712345678"}]}""");

        string[] expected = ["name", "email", "title", "phone", "company_name", "company_city"];
        Assert.All(output.Rows, lead => Assert.Equal(expected, lead.Keys));
        Assert.Equal("""{"name":"Bob","email":null,"title":"CTO","phone":null,"company_name":"Acme","company_city":null}""", Json(output.Rows[1]));
        Assert.Equal(expected, new RowChunk(0, output.Rows).Columns());
    }

    [Fact]
    public async Task Leads_get_unique_indexes_in_input_order()
    {
        var rows = new List<Row>
        {
            ExpressionRows.Of("""{"name": "A", "people": ["a0", "a1", "a2"]}""", 7),
            ExpressionRows.Of("""{"name": "B", "people": []}""", 8),
            ExpressionRows.Of("""{"name": "C", "people": ["c0"]}""", 12),
        };

        var output = await RunAsync(Block(), rows);

        Assert.Equal([7_000_000L, 7_000_001, 7_000_002, 12_000_000], output.Rows.Select(r => r.Index));
        Assert.Equal(["a0", "a1", "a2", "c0"], output.Rows.Select(r => r.GetText("name")));
    }

    [Fact]
    public async Task Leads_do_not_share_nested_company_values()
    {
        var output = await RunAsync("""{"tags": ["b2b"], "people": ["Ann", "Bob"]}""");

        var first = Assert.IsType<JsonArray>(output.Rows[0]["company_tags"]);
        var second = Assert.IsType<JsonArray>(output.Rows[1]["company_tags"]);
        Assert.NotSame(first, second);
        first.Add("edited");
        Assert.Equal("""["b2b"]""", second.ToJsonString());
    }

    [Fact]
    public async Task A_json_array_value_built_in_code_is_read()
    {
        var row = new Row(0)
        {
            ["name"] = "Acme",
            ["people"] = new JsonArray(new JsonObject { ["name"] = "Ann", ["age"] = 41, ["score"] = 1.5 }, "Bob"),
        };

        var output = await RunAsync(Block(), [row]);

        Assert.Equal(
            ["""{"name":"Ann","age":41,"score":1.5,"company_name":"Acme"}""", """{"name":"Bob","age":null,"score":null,"company_name":"Acme"}"""],
            output.Rows.Select(Json));
        Assert.IsType<long>(output.Rows[0]["age"]);
    }

    [Fact]
    public async Task An_empty_list_gives_no_lead_and_no_reject()
    {
        var output = await RunAsync("""{"name": "Acme", "people": []}""", """{"name": "Beta", "people": "[]"}""");

        Assert.Empty(output.Rows);
        Assert.Empty(output.Rejects);
    }

    [Theory]
    [InlineData("""{"name": "Acme"}""", "people_field 'people' is missing from the row")]
    [InlineData("""{"name": "Acme", "people": null}""", "people_field 'people' is null, not a list")]
    [InlineData("""{"name": "Acme", "people": "  "}""", "people_field 'people' is an empty string, not a list")]
    [InlineData("""{"name": "Acme", "people": "Ann, Bob"}""", "people_field 'people' is a string, not a list")]
    [InlineData("""{"name": "Acme", "people": "{\"name\": \"Ann\"}"}""", "people_field 'people' is a string holding a JSON object, not a list")]
    [InlineData("""{"name": "Acme", "people": 3}""", "people_field 'people' is a number, not a list")]
    [InlineData("""{"name": "Acme", "people": true}""", "people_field 'people' is true, not a list")]
    [InlineData("""{"name": "Acme", "people": {"name": "Ann"}}""", "people_field 'people' is an object, not a list")]
    public async Task A_row_whose_people_column_is_not_a_list_is_rejected_saying_what_it_held(string row, string reason)
    {
        var output = await RunAsync(row);

        Assert.Empty(output.Rows);
        var reject = Assert.Single(output.Rejects);
        Assert.Equal(reason, reject.Reason);
        Assert.Equal(0, reject.RowIndex);
        Assert.Equal("Acme", reject.Row!.GetText("name"));
        Assert.False(reject.Failed);
    }

    [Fact]
    public async Task Json_text_that_does_not_parse_is_rejected_with_the_parser_message()
    {
        var output = await RunAsync("""{"name": "Acme", "people": "[{\"name\": \"Ann\""}""");

        var reject = Assert.Single(output.Rejects);
        Assert.StartsWith("people_field 'people' is a string that is not a valid JSON list (", reject.Reason, StringComparison.Ordinal);
        Assert.Equal("""[{"name": "Ann" """.TrimEnd(), reject.Row!.GetText("people"));
    }

    [Fact]
    public async Task A_bad_row_does_not_stop_the_others()
    {
        var output = await RunAsync("""{"name": "A", "people": 5}""", """{"name": "B", "people": ["Bob"]}""");

        Assert.Equal(0, Assert.Single(output.Rejects).RowIndex);
        Assert.Equal(1_000_000, Assert.Single(output.Rows).Index);
    }

    [Fact]
    public async Task An_entry_that_is_neither_an_object_nor_a_name_is_rejected_as_a_lead_and_the_others_still_pass()
    {
        var output = await RunAsync("""{"name": "Acme", "people": ["Ann", 42, null, " ", ["x"], {"name": "Eve"}]}""");

        Assert.Equal([0L, 5], output.Rows.Select(r => r.Index));
        Assert.Equal(
            [
                (1L, "people_field 'people' entry 1 is a number, not an object or a name"),
                (2L, "people_field 'people' entry 2 is null, not an object or a name"),
                (3L, "people_field 'people' entry 3 is a blank string, not an object or a name"),
                (4L, "people_field 'people' entry 4 is a list, not an object or a name"),
            ],
            output.Rejects.Select(r => (r.RowIndex, r.Reason)));
        Assert.Equal("""{"company_name":"Acme","people":42}""", Json(output.Rejects[0].Row!));
    }

    [Fact]
    public async Task A_company_listing_more_than_999999_people_is_rejected()
    {
        var people = new JsonArray();
        for (var i = 0; i < 1_000_000; i++)
        {
            people.Add((JsonNode)"p");
        }

        var output = await RunAsync(Block(), [new Row(3) { ["name"] = "Huge", ["people"] = people }]);

        Assert.Empty(output.Rows);
        Assert.Equal("people_field 'people' lists 1000000 people; company_to_leads makes at most 999999 leads per company row", Assert.Single(output.Rejects).Reason);
    }

    [Fact]
    public async Task A_company_index_too_large_to_number_its_leads_is_rejected()
    {
        var output = await RunAsync(Block(), [new Row(long.MaxValue / 10) { ["people"] = new JsonArray((JsonNode)"Ann") }]);

        Assert.Empty(output.Rows);
        Assert.StartsWith($"row index {long.MaxValue / 10} is too large", Assert.Single(output.Rejects).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task It_reads_the_people_column_and_turns_companies_into_leads()
    {
        var block = Block("""{"people_field": "staff"}""");

        Assert.Equal(["staff"], block.ReadsColumns);
        var output = await RunAsync(block, """{"name": "Acme", "staff": ["Ann Lee", "Bob Roe"]}""");
        Assert.Equal(
            ["""{"name":"Ann Lee","company_name":"Acme"}""", """{"name":"Bob Roe","company_name":"Acme"}"""],
            output.Rows.Select(Json));
    }
}

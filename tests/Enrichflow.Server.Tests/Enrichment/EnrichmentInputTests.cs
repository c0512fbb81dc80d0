using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Fakes;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Enrichment;

/// <summary>
/// What enrichment blocks read from a row and send (docs/api.md §5.2): the conventional column names, the
/// <c>*_field</c> specs that pick a column first, <c>people_fields</c> and <c>tier</c>, and <c>overwrite</c>
/// (an answer never blanks a value the row already had).
/// </summary>
public sealed class EnrichmentInputTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Single(string kind, string block, string specs) => $$$"""
        {"blocks": [
          {"sequence_number": 1, "block_name": "webhook", "block_id": "input", "specs": {"dataframe_type": "{{{kind}}}"}},
          {"sequence_number": 2, "block_name": "{{{block}}}", "block_id": "enrich", "specs": {{{specs}}}}],
         "edges": [{"from_block_id": "input", "to_block_id": "enrich"}]}
        """;

    private static async Task<string> RunAsync(TestServer server, string definition, object[] payload)
    {
        var runId = await server.StartRunAsync(await server.CreateWorkflowAsync(definition), new { webhook_payload = payload }, "&result_formats=ndjson");
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());
        return runId;
    }

    private static Task<List<JsonElement>> RowsAsync(TestServer server, string runId) => RunRows.FinalAsync(server, runId);

    private static Task<List<JsonElement>> RejectsAsync(TestServer server, string runId) => RunRows.RejectsAsync(server, runId);

    private static async Task<string> ProblemsAsync(TestServer server, string definition)
    {
        var response = await server.Client.PostAsJsonAsync("/workflows/validate", new { workflow_definition = JsonNode.Parse(definition) }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return string.Join("\n", body.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("msg").GetString()));
    }

    private static async Task<(FakeProviderServer Fake, TestServer Server)> SixtyfourAsync()
    {
        var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions { HitPercent = 100, RecordRequests = true }, Ct);
        var settings = fake.ProviderConfiguration("s64", "sixtyfour");
        settings["Providers:s64:UseAsyncJobs"] = "false";
        return (fake, await TestServer.StartAsync(settings));
    }

    [Theory]
    [InlineData(null, "Chief Technology Officer", "Head of Sales")]
    [InlineData("if_found", "Chief Technology Officer", "Head of Sales")]
    [InlineData("always", "Chief Technology Officer", "Head of Sales")]
    [InlineData("never", "CTO", "Head of Sales")]
    public async Task A_return_field_that_is_an_input_column_is_never_blanked_by_a_row_the_provider_did_not_find(string? overwrite, string adaTitle, string brunoTitle)
    {
        // Regression: a return field named like an input column (title) was blanked on every row the provider did not find.
        await using var server = await TestServer.StartAsync();
        var specs = overwrite is null ? """{"return_fields": {"title": "Job title"}}""" : $$"""{"return_fields": {"title": "Job title"}, "overwrite": "{{overwrite}}"}""";
        var runId = await RunAsync(server, Single("LEAD", "enrich_person", specs),
        [
            new { name = "Ada Whitfield", title = "CTO" },
            new { name = "Nobody Known", title = "Founder" },
            new { name = "Bruno Castell", title = "" },
        ]);

        var rows = await RowsAsync(server, runId);
        Assert.Equal([adaTitle, "Founder", brunoTitle], rows.Select(r => r.GetProperty("title").GetString()));
        Assert.Equal(["ok", "not_found", "ok"], rows.Select(r => r.GetProperty("enrich_status").GetString()));
    }

    [Fact]
    public async Task An_unknown_overwrite_or_tier_is_a_400_naming_the_block_and_the_values_allowed()
    {
        await using var server = await TestServer.StartAsync();
        var overwrite = await ProblemsAsync(server, Single("LEAD", "find_email", """{"overwrite": "sometimes"}"""));
        Assert.Contains("Block 'enrich': overwrite must be never, if_found or always (was 'sometimes')", overwrite, StringComparison.Ordinal);

        // enrich-lead has an xhigh tier, enrich-company does not (Sixtyfour's EnrichLeadInfo and EnrichCompanyInfo).
        var tier = await ProblemsAsync(server, Single("COMPANY", "enrich_company", """{"return_fields": {"industry": "x"}, "tier": "xhigh"}"""));
        Assert.Contains("Block 'enrich': tier must be one of low, medium, high (was 'xhigh')", tier, StringComparison.Ordinal);
        var valid = await server.Client.PostAsJsonAsync("/workflows/validate",
            new { workflow_definition = JsonNode.Parse(Single("LEAD", "enrich_person", """{"return_fields": {"title": "x"}, "tier": "xhigh"}""")) }, Ct);
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);

        var people = await ProblemsAsync(server, Single("COMPANY", "enrich_company", """{"return_fields": {"industry": "x"}, "find_people": true, "people_fields": {"age": {"type": "years"}}}"""));
        Assert.Contains("people field 'age'", people, StringComparison.Ordinal);
        var blank = await ProblemsAsync(server, Single("COMPANY", "enrich_company", """{"return_fields": {"industry": "x"}, "company_field": " "}"""));
        Assert.Contains("Block 'enrich': company_field must name a column.", blank, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_field_specs_the_row_is_sent_and_conventional_names_identify_it_and_a_row_without_any_fails_naming_them()
    {
        var (fake, server) = await SixtyfourAsync();
        await using var _ = fake;
        await using var __ = server;
        var definition = Single("COMPANY", "enrich_company", """{"return_fields": {"industry": "Industry"}}""");
        var runId = await RunAsync(server, definition,
        [
            new { company = "Initech", domain = "initech.example", segment = "enterprise", score = 7, tags = new[] { "a" } },
            new { website = "https://www.globex.example/about" },
            new { segment = "smb", enrich_status = "ok" },
        ]);

        var bodies = fake.Requests.Where(r => r.Path == "/enrich-company").Select(r => r.Body!["target_company"]!.ToJsonString()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            [
                """{"company_name":"Initech","domain":"initech.example","company":"Initech","score":"7","segment":"enterprise"}""",
                """{"domain":"globex.example","website":"https://www.globex.example/about"}""",
            ],
            bodies);
        Assert.Equal(["ok", "ok"], (await RowsAsync(server, runId)).Select(r => r.GetProperty("enrich_status").GetString()));
        var reject = Assert.Single(await RejectsAsync(server, runId));
        Assert.Equal("enrichment: nothing to look up: none of the columns 'company_name', 'company', 'name', 'website', 'domain', 'linkedin' has a value",
            reject.GetProperty("reason").GetString());

        // The request sent is the cache key: the same rows with their columns in another order pay nothing.
        var calls = fake.TotalCalls;
        await RunAsync(server, definition, [new { score = 7, tags = new[] { "b" }, segment = "enterprise", domain = "initech.example", company = "INITECH" }]);
        Assert.Equal(calls, fake.TotalCalls);
    }

    [Fact]
    public async Task A_field_spec_picks_its_column_first_and_only_the_identifying_values_are_sent()
    {
        var (fake, server) = await SixtyfourAsync();
        await using var _ = fake;
        await using var __ = server;
        await RunAsync(server, Single("LEAD", "enrich_person", """{"name_field": "contact", "return_fields": {"title": "Job title"}}"""),
            [new { contact = "Ada Lovelace", full_name = "Augusta Ada King", company_name = "Analytical Engines", notes = "met at a fair" }]);
        Assert.Equal("""{"name":"Ada Lovelace","company":"Analytical Engines"}""", fake.LastRequest("/enrich-lead")!.Body!["lead_info"]!.ToJsonString());

        // find_email reads name, then full_name, then first_name + last_name; enrich_person full_name first.
        await RunAsync(server, Single("LEAD", "find_email", "{}"),
            [new { first_name = "Grace", last_name = "Hopper", company = "Navy", company_website = "https://navy.example" }]);
        Assert.Equal("""{"domain":"navy.example","name":"Grace Hopper","company":"Navy","company_website":"https://navy.example","first_name":"Grace","last_name":"Hopper"}""",
            fake.LastRequest("/find-email")!.Body!["lead"]!.ToJsonString());
        await RunAsync(server, Single("LEAD", "find_phone", "{}"), [new { name = "Alan", full_name = "Alan Turing" }]);
        Assert.Equal("Alan", fake.LastRequest("/find-phone")!.Body!["lead"]!["name"]!.ToString());
        await RunAsync(server, Single("LEAD", "enrich_person", """{"return_fields": {"title": "Job title"}}"""), [new { name = "Alan", full_name = "Alan Turing" }]);
        Assert.Equal("Alan Turing", fake.LastRequest("/enrich-lead")!.Body!["lead_info"]!["name"]!.ToString());
    }

    [Fact]
    public async Task Find_people_sends_people_fields_as_lead_struct_and_tier_reaches_sixtyfour()
    {
        var (fake, server) = await SixtyfourAsync();
        await using var _ = fake;
        await using var __ = server;
        var runId = await RunAsync(server, Single("COMPANY", "enrich_company", """
            {"return_fields": {"industry": "Industry"}, "find_people": true, "tier": "High",
             "people_fields": {"full_name": "The person's name", "years_at_company": {"description": "Years at the company", "type": "int"}}}
            """), [new { domain = "umbrella.example" }]);

        var body = fake.LastRequest("/enrich-company")!.Body!;
        Assert.Equal("high", body["tier"]!.ToString());
        Assert.Equal("""{"full_name":"The person\u0027s name","years_at_company":"Years at the company (type: int)"}""", body["lead_struct"]!.ToJsonString());
        var people = Assert.Single(await RowsAsync(server, runId)).GetProperty("people");
        Assert.All(people.EnumerateArray(), p => Assert.Equal(["full_name", "years_at_company"], p.EnumerateObject().Select(f => f.Name)));
        Assert.All(people.EnumerateArray(), p => Assert.Equal(JsonValueKind.Number, p.GetProperty("years_at_company").ValueKind));

        await RunAsync(server, Single("LEAD", "enrich_person", """{"return_fields": {"title": "Job title"}, "tier": "xhigh"}"""), [new { email = "ada@example.com" }]);
        Assert.Equal("xhigh", fake.LastRequest("/enrich-lead")!.Body!["tier"]!.ToString());
        Assert.Equal(fake.TotalCalls, fake.Requests.Count(r => !r.IsPoll));
    }

    [Fact]
    public async Task An_openai_compatible_provider_gets_the_whole_row_with_the_identifying_values_in_its_prompt()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions { HitPercent = 100, RecordRequests = true }, Ct);
        await using var server = await TestServer.StartAsync(fake.ProviderConfiguration("llm", "openai_compatible"));
        var runId = await RunAsync(server, Single("LEAD", "enrich_person", """{"return_fields": {"seniority": "Seniority level"}}"""),
            [new { full_name = "Ada Lovelace", company_name = "Analytical Engines", title = "Countess" }]);

        Assert.Equal("ok", Assert.Single(await RowsAsync(server, runId)).GetProperty("enrich_status").GetString());
        var prompt = fake.LastRequest("/v1/chat/completions")!.Body!["messages"]![1]!["content"]!.ToString();
        var input = prompt.Split('\n').Single(l => l.StartsWith("Input: ", StringComparison.Ordinal));
        Assert.Equal("""Input: {"company":"Analytical Engines","company_name":"Analytical Engines","full_name":"Ada Lovelace","name":"Ada Lovelace","title":"Countess"}""", input);
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Fakes;
using Enrichflow.Providers;
using Enrichflow.Providers.Kinds;
using static Enrichflow.Providers.Tests.Kinds.ProviderKit;

namespace Enrichflow.Providers.Tests.Kinds;

/// <summary>The provider operations behind reverse_email, reverse_phone, llm_openai, qa_agent and research_agent, against the fakes.</summary>
public sealed class AgentProviderTests
{
    private static readonly QualificationCriterion[] Criteria =
    [
        new("fit", "Sells B2B software", 2.0, 0.5),
        new("size", "Has more than 50 employees", 1.0, null),
    ];

    private static EnrichmentRequest Reverse(EnrichmentOperation operation, string key, string value) =>
        Request(operation, new Dictionary<string, string> { [key] = value }, AgentRequests.PersonFields);

    private static EnrichmentRequest Qa(params ReturnField[] extra) => Request(
        EnrichmentOperation.QaAgent,
        new Dictionary<string, string> { ["company_name"] = "Acme", ["domain"] = "acme.example", ["employees"] = "120" },
        [.. Criteria.Select(c => Field(AgentRequests.ScoreField(c.Name), ReturnFieldType.Float, c.Description)), .. extra],
        new Dictionary<string, string> { [AgentRequests.CriteriaOption] = AgentRequests.CriteriaJson(Criteria) });

    private static EnrichmentRequest Research(params ReturnField[] fields) => Request(
        EnrichmentOperation.ResearchAgent,
        new Dictionary<string, string> { ["name"] = "Ada Lovelace", ["email"] = "ada@analytical.example" },
        fields,
        new Dictionary<string, string> { [AgentRequests.ResearchPlanOption] = "Check her publications" });

    [Fact]
    public async Task Reverse_email_sends_the_address_as_lead_email_and_maps_the_person()
    {
        await using var kit = await StartAsync("s64", "sixtyfour");

        var answer = await kit.CallAsync("s64", Reverse(EnrichmentOperation.ReverseEmail, "email", "ada.lovelace@analytical.example"));

        Assert.Equal(EnrichmentOutcome.Found, answer.Outcome);
        var sent = kit.Fake.LastRequest("/reverse-email")!;
        Assert.Equal("""{"lead":{"email":"ada.lovelace@analytical.example"}}""", sent.Body!.ToJsonString());
        Assert.Equal("fake-key", sent.Headers["x-api-key"]);
        Assert.Equal("Ada Lovelace", answer.Fields["name"]!.GetValue<string>());
        Assert.Equal("Analytical", answer.Fields["company"]!.GetValue<string>());
        Assert.StartsWith("https://www.linkedin.com/in/", answer.Fields["linkedin"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.All(AgentRequests.PersonFields, f => Assert.True(EnrichmentAnswer.HasValue(answer.Fields[f.Name]), f.Name));
    }

    [Fact]
    public async Task Reverse_phone_sends_lead_phone_and_an_unknown_number_is_not_found()
    {
        await using var kit = await StartAsync(new FakeProviderOptions { HitPercent = 0 }, "s64", "sixtyfour");

        var answer = await kit.CallAsync("s64", Reverse(EnrichmentOperation.ReversePhone, "phone", "+1 555 0100 1234"));

        Assert.Equal(EnrichmentOutcome.NotFound, answer.Outcome);
        Assert.Equal("+1 555 0100 1234", kit.Fake.LastRequest("/reverse-phone")!.Body!["lead"]!["phone"]!.GetValue<string>());
        Assert.Single(kit.Fake.LastRequest("/reverse-phone")!.Body!.AsObject());
    }

    [Fact]
    public async Task A_reverse_answer_of_the_wrong_type_fails_with_the_field()
    {
        await using var kit = await StartAsync("s64", "sixtyfour");
        kit.Fake.Script("ada@analytical.example", FakeReply.SchemaViolation);

        var answer = await kit.CallAsync("s64", Reverse(EnrichmentOperation.ReverseEmail, "email", "ada@analytical.example"));

        Assert.Equal(EnrichmentOutcome.Failed, answer.Outcome);
        Assert.StartsWith("field 'name' should be str", answer.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Qa_agent_submits_data_and_criteria_as_a_job_and_maps_a_score_per_criterion()
    {
        await using var kit = await StartAsync("s64", "sixtyfour");
        kit.Fake.PollsUntilDone = 2;

        var answer = await kit.CallAsync("s64", Qa(Field("industry")));

        Assert.Equal(EnrichmentOutcome.Found, answer.Outcome);
        var sent = kit.Fake.LastRequest("/qa-agent-async")!.Body!;
        Assert.Equal("""{"company_name":"Acme","domain":"acme.example","employees":"120"}""", sent["data"]!.ToJsonString());
        Assert.Equal("""[{"criteria_name":"fit","description":"Sells B2B software","weight":2,"threshold":0.5},{"criteria_name":"size","description":"Has more than 50 employees","weight":1}]""",
            sent["qualification_criteria"]!.ToJsonString());
        Assert.Equal("""{"industry":"industry"}""", sent["struct"]!.ToJsonString());
        Assert.Equal(3, kit.Fake.Polls);
        Assert.InRange(answer.Fields["qa_fit"]!.GetValue<double>(), 0, 1);
        Assert.InRange(answer.Fields["qa_size"]!.GetValue<double>(), 0, 1);
        Assert.Equal(JsonValueKind.String, answer.Fields["industry"]!.GetValueKind());
        Assert.Contains("2 criteria", answer.Notes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_qa_answer_whose_score_is_not_a_number_fails_naming_the_criterion()
    {
        await using var kit = await StartAsync("s64", "sixtyfour", ("UseAsyncJobs", "false"));
        kit.Fake.Script("acme.example", FakeReply.SchemaViolation);

        var answer = await kit.CallAsync("s64", Qa());

        Assert.Equal(EnrichmentOutcome.Failed, answer.Outcome);
        Assert.StartsWith("field 'qa_fit' should be float but was \"high\"", answer.Reason, StringComparison.Ordinal);
        Assert.NotNull(kit.Fake.LastRequest("/qa-agent"));
    }

    [Fact]
    public async Task Research_agent_sends_input_data_struct_and_plan_and_maps_structured_data()
    {
        await using var kit = await StartAsync("s64", "sixtyfour");

        var answer = await kit.CallAsync("s64", Research(Field("title"), Field("publications", ReturnFieldType.Int)));

        Assert.Equal(EnrichmentOutcome.Found, answer.Outcome);
        var sent = kit.Fake.LastRequest("/research-agent-async")!.Body!;
        Assert.Equal("""{"name":"Ada Lovelace","email":"ada@analytical.example"}""", sent["input_data"]!.ToJsonString());
        Assert.Equal("publications (type: int)", sent["struct"]!["publications"]!.ToString());
        Assert.Equal("Check her publications", sent["research_plan"]!.ToString());
        Assert.Equal(JsonValueKind.Number, answer.Fields["publications"]!.GetValueKind());
        Assert.NotNull(answer.Notes);
        Assert.NotNull(answer.ConfidenceScore);
    }

    [Fact]
    public async Task A_failed_research_job_fails_with_the_jobs_message()
    {
        await using var kit = await StartAsync("s64", "sixtyfour");
        kit.Fake.Script("ada@analytical.example", FakeReply.JobFailed("agent ran out of steps"));

        var answer = await kit.CallAsync("s64", Research(Field("title")));

        Assert.Equal(EnrichmentOutcome.Failed, answer.Outcome);
        Assert.Matches(@"^job task_\d+ failed: agent ran out of steps$", answer.Reason);
    }

    [Fact]
    public async Task An_llm_prompt_is_the_user_message_with_the_blocks_model_temperature_and_schema()
    {
        await using var kit = await StartAsync("gpt", "openai_compatible");
        var request = Request(EnrichmentOperation.Llm, new Dictionary<string, string>(),
            [Field("sentiment", ReturnFieldType.Str, "positive, neutral or negative"), Field("stars", ReturnFieldType.Int)],
            new Dictionary<string, string>
            {
                [AgentRequests.PromptOption] = "Rate this review: Great product",
                [AgentRequests.SystemPromptOption] = "You rate reviews.",
                [AgentRequests.ModelOption] = "other-model",
                [AgentRequests.TemperatureOption] = "0.2",
            });

        var answer = await kit.CallAsync("gpt", request);

        Assert.Equal(EnrichmentOutcome.Found, answer.Outcome);
        var sent = kit.Fake.LastRequest("/v1/chat/completions")!;
        Assert.Equal("Bearer fake-key", sent.Headers["Authorization"]);
        Assert.Equal("other-model", sent.Body!["model"]!.ToString());
        Assert.Equal(0.2, sent.Body["temperature"]!.GetValue<double>());
        Assert.Equal("You rate reviews.", sent.Body["messages"]![0]!["content"]!.ToString());
        Assert.Equal("Rate this review: Great product", sent.Body["messages"]![1]!["content"]!.ToString());
        var format = sent.Body["response_format"]!["json_schema"]!;
        Assert.Equal("llm_output", format["name"]!.ToString());
        Assert.Equal("""["sentiment","stars"]""", format["schema"]!["required"]!.ToJsonString());
        Assert.Equal(JsonValueKind.Number, answer.Fields["stars"]!.GetValueKind());
        Assert.Equal(1, kit.Fake.CallsFor("Rate this review: Great product"));
    }

    [Fact]
    public async Task An_llm_answer_that_breaks_the_schema_fails_with_the_field()
    {
        await using var kit = await StartAsync("gpt", "openai_compatible");
        kit.Fake.Script("Count: one two", FakeReply.SchemaViolation);
        var request = Request(EnrichmentOperation.Llm, new Dictionary<string, string>(), [Field("count", ReturnFieldType.Int)],
            new Dictionary<string, string> { [AgentRequests.PromptOption] = "Count: one two" });

        var answer = await kit.CallAsync("gpt", request);

        Assert.Equal(EnrichmentOutcome.Failed, answer.Outcome);
        Assert.Equal("field 'count' should be int but was \"about a dozen\"", answer.Reason);
    }

    [Fact]
    public async Task A_chat_model_scores_qa_criteria_in_a_schema_with_notes()
    {
        await using var kit = await StartAsync("gpt", "openai_compatible");

        var answer = await kit.CallAsync("gpt", Qa());

        Assert.Equal(EnrichmentOutcome.Found, answer.Outcome);
        var sent = kit.Fake.LastRequest("/v1/chat/completions")!.Body!;
        var schema = sent["response_format"]!["json_schema"]!;
        Assert.Equal("qa_agent", schema["name"]!.ToString());
        Assert.Equal("""["qa_fit","qa_size","notes"]""", schema["schema"]!["required"]!.ToJsonString());
        var user = sent["messages"]![1]!["content"]!.ToString();
        Assert.Contains("""Input: {"company_name":"Acme","domain":"acme.example","employees":"120"}""", user, StringComparison.Ordinal);
        Assert.Contains("- qa_fit (weight 2): Sells B2B software", user, StringComparison.Ordinal);
        Assert.InRange(answer.Fields["qa_fit"]!.GetValue<double>(), 0, 1);
        Assert.False(answer.Fields.ContainsKey("notes"));
        Assert.StartsWith("Answered about", answer.Notes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chat_model_researches_with_the_plan_and_answers_the_fields()
    {
        await using var kit = await StartAsync("gpt", "openai_compatible");

        var answer = await kit.CallAsync("gpt", Research(Field("title")));

        Assert.Equal(EnrichmentOutcome.Found, answer.Outcome);
        var sent = kit.Fake.LastRequest("/v1/chat/completions")!.Body!;
        Assert.Equal("research_agent", sent["response_format"]!["json_schema"]!["name"]!.ToString());
        Assert.Contains("Research plan: Check her publications", sent["messages"]![1]!["content"]!.ToString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.String, answer.Fields["title"]!.GetValueKind());
        Assert.NotNull(answer.Notes);
    }

    [Fact]
    public async Task Kinds_declare_their_operations_and_a_kind_configured_for_one_it_cannot_do_is_a_problem()
    {
        await using var kit = await StartAsync("s64", "sixtyfour");
        var s64 = kit.Provider("s64");
        Assert.True(s64.Supports(EnrichmentOperation.ReverseEmail));
        Assert.True(s64.Supports(EnrichmentOperation.QaAgent));
        Assert.False(s64.Supports(EnrichmentOperation.Llm));

        var chat = ProviderKinds.Find("openai_compatible")!;
        Assert.Contains(EnrichmentOperation.Llm, chat.DefaultOperations);
        Assert.DoesNotContain(EnrichmentOperation.ReverseEmail, chat.SupportedOperations);
        var problems = ProvidersOptionsValidator.Problems("gpt", new ProviderOptions { Kind = "openai_compatible", BaseUrl = "http://127.0.0.1:1/v1/", Model = "m", Operations = ["reverse_email"] }, Path.GetTempPath());
        Assert.Equal("Providers:gpt:Operations:0 'reverse_email' is not something openai_compatible providers can do; they can do enrich_company, enrich_person, find_email, find_phone, llm, qa_agent, research_agent.", Assert.Single(problems));
        Assert.Empty(ProvidersOptionsValidator.Problems("people", new ProviderOptions { Kind = "http", BaseUrl = "http://127.0.0.1:1/", Path = "people?email={{email}}", Operations = ["reverse_email"] }, Path.GetTempPath()));
    }
}

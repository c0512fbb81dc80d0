using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Providers;
using Enrichflow.Fakes;
using static Enrichflow.Providers.Tests.Kinds.ProviderKit;

namespace Enrichflow.Providers.Tests.Kinds;

public sealed class SixtyfourProviderTests
{
    [Fact]
    public async Task Enrich_company_sends_target_company_and_a_typed_struct_and_maps_typed_answers()
    {
        await using var kit = await StartAsync("s64", "sixtyfour", ("UseAsyncJobs", "false"));
        var request = Request(
            EnrichmentOperation.EnrichCompany,
            new Dictionary<string, string> { ["company_name"] = "Acme", ["domain"] = "acme.example", ["website"] = "https://acme.example" },
            [Field("industry"), Field("employees", ReturnFieldType.Int, "How many people work there"), Field("rating", ReturnFieldType.Float), Field("is_public", ReturnFieldType.Bool), Field("products", ReturnFieldType.ListStr), Field("hq", ReturnFieldType.Dict)],
            new Dictionary<string, string> { ["research_plan"] = "Check the about page" });

        var answer = await kit.CallAsync("s64", request);

        Assert.Equal(EnrichmentOutcome.Found, answer.Outcome);
        var sent = kit.Fake.LastRequest("/enrich-company")!;
        Assert.Equal("fake-key", sent.Headers["x-api-key"]);
        Assert.Equal("""{"company_name":"Acme","domain":"acme.example","website":"https://acme.example"}""", sent.Body!["target_company"]!.ToJsonString());
        Assert.Equal("How many people work there (type: int)", sent.Body["struct"]!["employees"]!.ToString());
        Assert.Equal("industry", sent.Body["struct"]!["industry"]!.ToString());
        Assert.Equal("Check the about page", sent.Body["research_plan"]!.ToString());
        Assert.Null(sent.Body["find_people"]);
        Assert.Equal(JsonValueKind.Number, answer.Fields["employees"]!.GetValueKind());
        Assert.Contains(answer.Fields["is_public"]!.GetValueKind(), (JsonValueKind[])[JsonValueKind.True, JsonValueKind.False]);
        Assert.IsType<JsonArray>(answer.Fields["products"]);
        Assert.IsType<JsonObject>(answer.Fields["hq"]);
        Assert.NotNull(answer.ConfidenceScore);
        Assert.Contains("Acme", answer.Notes);
        Assert.Contains("https://acme.example/about", answer.References!.Keys);
        Assert.True(answer.Billable);
        Assert.Equal(1, kit.Fake.CallsFor("acme.example"));
    }

    [Fact]
    public async Task Enrich_company_through_an_async_job_polls_job_status_until_completed()
    {
        await using var kit = await StartAsync("s64", "sixtyfour");
        kit.Fake.PollsUntilDone = 2;

        var answer = await kit.CallAsync("s64", Company("globex.example", Field("employees", ReturnFieldType.Int)));

        Assert.Equal(EnrichmentOutcome.Found, answer.Outcome);
        Assert.NotNull(kit.Fake.LastRequest("/enrich-company-async"));
        Assert.Null(kit.Fake.LastRequest("/enrich-company"));
        Assert.Equal(3, kit.Fake.Polls);
        Assert.Equal(1, kit.Fake.CallsFor("globex.example"));
        Assert.Equal(kit.Fake.Requests.Single(r => !r.IsPoll).Body!.ToJsonString(), kit.Fake.LastRequest("/enrich-company-async")!.Body!.ToJsonString());
    }

    [Fact]
    public async Task A_failed_async_job_fails_with_the_jobs_message()
    {
        await using var kit = await StartAsync("s64", "sixtyfour");
        kit.Fake.Script("initech.example", FakeReply.JobFailed("research agent crashed"));

        var answer = await kit.CallAsync("s64", Company("initech.example", Field("industry")));

        Assert.Equal(EnrichmentOutcome.Failed, answer.Outcome);
        Assert.Matches(@"^job task_\d+ failed: research agent crashed$", answer.Reason);
        Assert.True(answer.Billable);
    }

    [Fact]
    public async Task Enrich_person_sends_lead_info_and_maps_structured_data()
    {
        await using var kit = await StartAsync("s64", "sixtyfour", ("UseAsyncJobs", "false"));

        var answer = await kit.CallAsync("s64", Person("Ada Lovelace", "ada@analytical.example", Field("title"), Field("linkedin")));

        Assert.Equal(EnrichmentOutcome.Found, answer.Outcome);
        var sent = kit.Fake.LastRequest("/enrich-lead")!;
        Assert.Equal("""{"name":"Ada Lovelace","email":"ada@analytical.example"}""", sent.Body!["lead_info"]!.ToJsonString());
        Assert.StartsWith("https://www.linkedin.com/", answer.Fields["linkedin"]!.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, kit.Fake.CallsFor("ada@analytical.example"));
    }

    [Fact]
    public async Task Find_people_sends_the_focus_prompt_and_returns_the_leads()
    {
        await using var kit = await StartAsync("s64", "sixtyfour", ("UseAsyncJobs", "false"));
        var request = Request(
            EnrichmentOperation.EnrichCompany,
            new Dictionary<string, string> { ["domain"] = "umbrella.example" },
            [Field("industry")],
            new Dictionary<string, string> { ["find_people"] = "true", ["people_focus_prompt"] = "the CTO" });

        var answer = await kit.CallAsync("s64", request);

        var sent = kit.Fake.LastRequest("/enrich-company")!.Body!;
        Assert.True(sent["find_people"]!.GetValue<bool>());
        Assert.Equal("the CTO", sent["people_focus_prompt"]!.ToString());
        Assert.InRange(answer.People!.Count, 2, 3);
        Assert.EndsWith("@umbrella.example", answer.People[0]!["email"]!.ToString(), StringComparison.Ordinal);
        Assert.False(answer.Fields.ContainsKey("leads"));
    }

    [Fact]
    public async Task A_company_the_provider_knows_nothing_about_is_not_found()
    {
        await using var kit = await StartAsync(new FakeProviderOptions { HitPercent = 0 }, "s64", "sixtyfour", ("UseAsyncJobs", "false"));

        var answer = await kit.CallAsync("s64", Company("nobody.example", Field("industry"), Field("employees", ReturnFieldType.Int)));

        Assert.Equal(EnrichmentOutcome.NotFound, answer.Outcome);
        Assert.All(answer.Fields.Values, Assert.Null);
        Assert.True(answer.Billable);
    }

    [Fact]
    public async Task Find_email_sends_the_lead_and_mode_and_maps_the_first_entry()
    {
        await using var kit = await StartAsync("s64", "sixtyfour");
        var request = Request(
            EnrichmentOperation.FindEmail,
            new Dictionary<string, string> { ["name"] = "Grace Hopper", ["company"] = "Navy", ["domain"] = "navy.example" },
            [],
            new Dictionary<string, string> { ["mode"] = "professional" });

        var answer = await kit.CallAsync("s64", request);

        var sent = kit.Fake.LastRequest("/find-email")!.Body!;
        Assert.Equal("""{"domain":"navy.example","name":"Grace Hopper","company":"Navy"}""", sent["lead"]!.ToJsonString());
        Assert.Equal("PROFESSIONAL", sent["mode"]!.ToString());
        Assert.Equal(EnrichmentOutcome.Found, answer.Outcome);
        Assert.Equal("grace.hopper@navy.example", answer.Fields["email"]!.ToString());
        Assert.Equal("OK", answer.Fields["email_status"]!.ToString());
        Assert.Equal("COMPANY", answer.Fields["email_type"]!.ToString());
    }

    [Fact]
    public async Task Find_email_with_an_empty_list_is_not_found()
    {
        await using var kit = await StartAsync(new FakeProviderOptions { HitPercent = 0 }, "s64", "sixtyfour");

        var answer = await kit.CallAsync("s64", Request(EnrichmentOperation.FindEmail, new Dictionary<string, string> { ["name"] = "Nobody Atall" }, [Field("email")]));

        Assert.Equal(EnrichmentOutcome.NotFound, answer.Outcome);
        Assert.Equal("no email found", answer.Reason);
    }

    [Fact]
    public async Task Find_phone_maps_phone_and_status()
    {
        await using var kit = await StartAsync("s64", "sixtyfour");
        var request = Request(
            EnrichmentOperation.FindPhone,
            new Dictionary<string, string> { ["name"] = "Alan Turing", ["company"] = "Bletchley", ["linkedin"] = "https://linkedin.com/in/alan" },
            [Field("phone"), Field("phone_status")]);

        var answer = await kit.CallAsync("s64", request);

        var lead = kit.Fake.LastRequest("/find-phone")!.Body!["lead"]!.AsObject();
        Assert.Equal("https://linkedin.com/in/alan", lead["linkedin"]!.ToString());
        Assert.False(lead.ContainsKey("linkedin_url"));
        Assert.Equal(EnrichmentOutcome.Found, answer.Outcome);
        Assert.StartsWith("+1 555 01", answer.Fields["phone"]!.ToString(), StringComparison.Ordinal);
        Assert.Equal("OK", answer.Fields["phone_status"]!.ToString());
    }

    [Fact]
    public async Task Find_phone_with_an_empty_phone_is_not_found()
    {
        await using var kit = await StartAsync(new FakeProviderOptions { HitPercent = 0 }, "s64", "sixtyfour");

        var answer = await kit.CallAsync("s64", Request(EnrichmentOperation.FindPhone, new Dictionary<string, string> { ["name"] = "Alan Turing" }, [Field("phone")]));

        Assert.Equal(EnrichmentOutcome.NotFound, answer.Outcome);
    }
}

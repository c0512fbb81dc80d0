using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Fakes;
using Enrichflow.Server.Tests.Infrastructure;
using nietras.SeparatedValues;

namespace Enrichflow.Server.Tests.Enrichment;

/// <summary>
/// The example workflows Sixtyfour publishes for its Workflows API, written as their docs write them (block_name and
/// block_type both the registered name, specs with only what they show, a <c>webhook_payload</c> list), run
/// unchanged but for base URL and key against a real server whose <c>sixtyfour</c> provider is the fake Sixtyfour
/// (which answers a request of the wrong shape 422, as Sixtyfour does). Checked: the final CSV, row by row, and the
/// request objects the fake received (<c>target_company</c>, <c>lead_info</c>, <c>lead</c>; docs/api.md §5.2).
/// </summary>
public sealed class SixtyfourExamplesTests
{
    private const int Seed = 64;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>webhook → company_enrichment (find_people) → company_to_leads → find_email → find_phone → append_to_notebook.</summary>
    private const string CompanyToContacts = """
        {"blocks": [
          {"sequence_number": 1, "block_name": "webhook", "block_type": "webhook", "block_id": "webhook_1", "specs": {}},
          {"sequence_number": 2, "block_name": "company_enrichment", "block_type": "company_enrichment", "block_id": "company_enrichment_1",
           "specs": {"return_fields": {"industry": "The industry the company works in", "employee_count": "Approximate number of employees"},
                     "find_people": true, "people_focus_prompt": "Find the founders and the heads of engineering"}},
          {"sequence_number": 3, "block_name": "company_to_leads", "block_type": "company_to_leads", "block_id": "company_to_leads_1", "specs": {}},
          {"sequence_number": 4, "block_name": "find_email", "block_type": "find_email", "block_id": "find_email_1", "specs": {"mode": "PROFESSIONAL"}},
          {"sequence_number": 5, "block_name": "find_phone", "block_type": "find_phone", "block_id": "find_phone_1", "specs": {}},
          {"sequence_number": 6, "block_name": "append_to_notebook", "block_type": "append_to_notebook", "block_id": "append_to_notebook_1",
           "specs": {"notebook_id": "__create_new__", "notebook_name": "Company contacts"}}],
         "edges": [
          {"from_block_id": "webhook_1", "to_block_id": "company_enrichment_1"},
          {"from_block_id": "company_enrichment_1", "to_block_id": "company_to_leads_1"},
          {"from_block_id": "company_to_leads_1", "to_block_id": "find_email_1"},
          {"from_block_id": "find_email_1", "to_block_id": "find_phone_1"},
          {"from_block_id": "find_phone_1", "to_block_id": "append_to_notebook_1"}]}
        """;

    /// <summary>webhook → deduplicate → lead_enrichment → find_email → filter (email_status OK) → append_to_notebook.</summary>
    private const string VerifiedLeads = """
        {"blocks": [
          {"sequence_number": 1, "block_name": "webhook", "block_type": "webhook", "block_id": "webhook_1", "specs": {}},
          {"sequence_number": 2, "block_name": "deduplicate", "block_type": "deduplicate", "block_id": "deduplicate_1", "specs": {}},
          {"sequence_number": 3, "block_name": "lead_enrichment", "block_type": "lead_enrichment", "block_id": "lead_enrichment_1",
           "specs": {"return_fields": {"title": "Current job title", "location": "City and country"}}},
          {"sequence_number": 4, "block_name": "find_email", "block_type": "find_email", "block_id": "find_email_1", "specs": {}},
          {"sequence_number": 5, "block_name": "filter", "block_type": "filter", "block_id": "filter_1",
           "specs": {"filters": [{"column": "email_status", "operator": "equals", "value": "OK"}]}},
          {"sequence_number": 6, "block_name": "append_to_notebook", "block_type": "append_to_notebook", "block_id": "append_to_notebook_1",
           "specs": {"notebook_id": "__create_new__", "notebook_name": "Verified leads"}}],
         "edges": [
          {"from_block_id": "webhook_1", "to_block_id": "deduplicate_1"},
          {"from_block_id": "deduplicate_1", "to_block_id": "lead_enrichment_1"},
          {"from_block_id": "lead_enrichment_1", "to_block_id": "find_email_1"},
          {"from_block_id": "find_email_1", "to_block_id": "filter_1"},
          {"from_block_id": "filter_1", "to_block_id": "append_to_notebook_1"}]}
        """;

    private static async Task<(FakeProviderServer Fake, TestServer Server)> StartAsync()
    {
        var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions { Seed = Seed, HitPercent = 100, RecordRequests = true }, Ct);
        var settings = fake.ProviderConfiguration("sixtyfour", "sixtyfour");
        settings["Engine:ChunkSize"] = "3";
        return (fake, await TestServer.StartAsync(settings));
    }

    /// <summary>What a Sixtyfour client does: create, run with a webhook payload, poll live status, take the last CSV link.</summary>
    private static async Task<List<Dictionary<string, string>>> RunAsync(TestServer server, string definition, object[] payload)
    {
        var created = await server.Client.PostAsJsonAsync("/workflows/create_workflow", new
        {
            workflow_name = "Sixtyfour example",
            workflow_description = "as Sixtyfour's docs write it",
            workflow_definition = JsonNode.Parse(definition),
        }, Ct);
        var text = await created.Content.ReadAsStringAsync(Ct);
        Assert.True(created.IsSuccessStatusCode, $"create_workflow answered {(int)created.StatusCode}: {text}");
        var workflowId = JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
        var runId = await server.StartRunAsync(workflowId, new { webhook_payload = payload });
        var live = await server.WaitForRunAsync(runId);
        Assert.Equal("completed", live.GetProperty("overall_status").GetString());
        return ReadCsv(await server.DownloadFinalAsync(runId));
    }

    private static List<Dictionary<string, string>> ReadCsv(string csv)
    {
        var rows = new List<Dictionary<string, string>>();
        using var reader = Sep.Reader(o => o with { Unescape = true }).FromText(csv);
        var columns = reader.Header.ColNames;
        foreach (var row in reader)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var column in columns)
            {
                values[column] = row[column].ToString();
            }

            rows.Add(values);
        }

        return rows;
    }

    /// <summary>The bodies of the paid requests to a path (with or without <c>-async</c>), in the order they arrived.</summary>
    private static List<JsonObject> Sent(FakeProviderServer fake, string path) =>
        [.. fake.Requests.Where(r => !r.IsPoll && (r.Path == path || r.Path == path + "-async")).Select(r => r.Body!.AsObject())];

    private static void AssertNoRequestWasRefused(FakeProviderServer fake) =>
        Assert.Equal(fake.TotalCalls, fake.Requests.Count(r => !r.IsPoll));

    private static async Task<long> NotebookRowsAsync(TestServer server, string name)
    {
        var notebooks = await server.Client.GetFromJsonAsync<JsonElement>("/notebooks", Ct);
        return notebooks.EnumerateArray().Single(n => n.GetProperty("name").GetString() == name).GetProperty("row_count").GetInt64();
    }

    [Fact]
    public async Task The_company_enrichment_example_finds_people_then_their_emails_and_phones()
    {
        var (fake, server) = await StartAsync();
        await using var _ = fake;
        await using var __ = server;
        object[] payload =
        [
            new { company_name = "Sixtyfour", website = "https://sixtyfour.ai" },
            new { company_name = "Acme Robotics", website = "acme-robotics.example" },
        ];

        var rows = await RunAsync(server, CompanyToContacts, payload);

        // The fake's people at each company, as its structured_data.leads listed them.
        var people = new[] { ("sixtyfour.ai", "Sixtyfour"), ("acme-robotics.example", "Acme Robotics") }
            .SelectMany(c => FakeData.People(Seed, c.Item1).Select(p => (Domain: c.Item1, Company: c.Item2, Person: p!.AsObject())))
            .ToList();
        Assert.Equal(people.Count, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var (domain, company, person) = people[i];
            var row = rows[i];
            var email = $"{person["name"]!.ToString().ToLowerInvariant().Replace(' ', '.')}@{domain}";
            Assert.Equal(person["name"]!.ToString(), row["name"]);
            Assert.Equal(person["title"]!.ToString(), row["title"]);
            Assert.Equal(company, row["company_name"]);
            Assert.Equal(email, row["email"]);
            Assert.Equal("OK", row["email_status"]);
            Assert.Equal("COMPANY", row["email_type"]);
            Assert.Equal(FakeData.Phone(Seed, email), row["phone"]);
            Assert.Equal("ok", row["enrich_status"]);
            Assert.Equal("sixtyfour", row["enrich_provider"]);
            Assert.False(string.IsNullOrWhiteSpace(row["company_industry"]));
        }

        // The company went to Sixtyfour as the row, with the domain of its website; struct and people as written.
        var companies = Sent(fake, "/enrich-company");
        Assert.Equal(2, companies.Count);
        Assert.Equal(
            ["""{"company_name":"Acme Robotics","domain":"acme-robotics.example","website":"acme-robotics.example"}""",
             """{"company_name":"Sixtyfour","domain":"sixtyfour.ai","website":"https://sixtyfour.ai"}"""],
            companies.Select(c => c["target_company"]!.ToJsonString()).Order(StringComparer.Ordinal));
        Assert.All(companies, body =>
        {
            Assert.Equal(["target_company", "struct", "find_people", "people_focus_prompt"], body.Select(p => p.Key));
            Assert.Equal("""{"industry":"The industry the company works in","employee_count":"Approximate number of employees"}""", body["struct"]!.ToJsonString());
            Assert.True(body["find_people"]!.GetValue<bool>());
            Assert.Equal("Find the founders and the heads of engineering", body["people_focus_prompt"]!.ToString());
        });

        // Each lead went to find-email and find-phone as the lead row, its identifying values under Sixtyfour's names.
        var emails = Sent(fake, "/find-email");
        var phones = Sent(fake, "/find-phone");
        Assert.Equal(people.Count, emails.Count);
        Assert.Equal(people.Count, phones.Count);
        foreach (var body in emails)
        {
            Assert.Equal("PROFESSIONAL", body["mode"]!.ToString());
            var lead = body["lead"]!.AsObject();
            var (domain, company, person) = people.First(p => p.Company == lead["company"]!.ToString()
                && p.Person["name"]!.ToString() == lead["name"]!.ToString() && p.Person["title"]!.ToString() == lead["title"]!.ToString());
            Assert.Equal(domain, lead["domain"]!.ToString());
            Assert.Equal(company, lead["company_name"]!.ToString());
            Assert.Equal(person["linkedin"]!.ToString(), lead["linkedin"]!.ToString());
            Assert.Equal(person["title"]!.ToString(), lead["title"]!.ToString());
            Assert.False(lead.ContainsKey("people"));
            Assert.False(lead.ContainsKey("enrich_status"));
        }

        Assert.All(phones, body => Assert.Equal(["lead"], body.Select(p => p.Key)));
        Assert.All(phones, body => Assert.Equal("OK", body["lead"]!["email_status"]!.ToString()));
        AssertNoRequestWasRefused(fake);
        Assert.Equal(people.Count, await NotebookRowsAsync(server, "Company contacts"));
    }

    [Fact]
    public async Task The_lead_enrichment_example_keeps_only_leads_with_a_verified_email()
    {
        var (fake, server) = await StartAsync();
        await using var _ = fake;
        await using var __ = server;
        fake.UnverifiedEmailPercent = 50;
        var leads = new[]
        {
            new { name = "Ada Lovelace", company = "Analytical Engines", linkedin = "https://www.linkedin.com/in/ada-lovelace" },
            new { name = "Grace Hopper", company = "Navy Labs", linkedin = "https://www.linkedin.com/in/grace-hopper" },
            new { name = "Alan Turing", company = "Bletchley Park", linkedin = "https://www.linkedin.com/in/alan-turing" },
            new { name = "Katherine Johnson", company = "Langley Research", linkedin = "https://www.linkedin.com/in/katherine-johnson" },
            new { name = "Edsger Dijkstra", company = "Mathematisch Centrum", linkedin = "https://www.linkedin.com/in/edsger-dijkstra" },
            new { name = "Barbara Liskov", company = "MIT CSAIL", linkedin = "https://www.linkedin.com/in/barbara-liskov" },
        };
        object[] payload = [.. leads, leads[1]];
        var verified = leads.Where(l => FakeProviderServer.IsVerified(Seed, l.name, 50)).ToList();
        Assert.InRange(verified.Count, 1, leads.Length - 1);

        var rows = await RunAsync(server, VerifiedLeads, payload);

        Assert.Equal(verified.Select(l => l.name), rows.Select(r => r["name"]));
        foreach (var (lead, row) in verified.Zip(rows))
        {
            Assert.Equal(lead.company, row["company"]);
            Assert.Equal(lead.linkedin, row["linkedin"]);
            Assert.Equal($"{lead.name.ToLowerInvariant().Replace(' ', '.')}@{FakeData.DomainOf(FakeData.Key(lead.company))}", row["email"]);
            Assert.Equal("OK", row["email_status"]);
            Assert.Equal("COMPANY", row["email_type"]);
            Assert.False(string.IsNullOrWhiteSpace(row["title"]));
            Assert.False(string.IsNullOrWhiteSpace(row["location"]));
            Assert.Equal("ok", row["enrich_status"]);
        }

        // The duplicate was dropped before any call; each lead went to enrich-lead as the row, only struct beside it.
        var enriched = Sent(fake, "/enrich-lead");
        Assert.Equal(leads.Length, enriched.Count);
        Assert.Equal(leads.Select(l => JsonSerializer.Serialize(l)).Order(StringComparer.Ordinal),
            enriched.Select(body => body["lead_info"]!.ToJsonString()).Order(StringComparer.Ordinal));
        Assert.All(enriched, body =>
        {
            Assert.Equal(["lead_info", "struct"], body.Select(p => p.Key));
            Assert.Equal("""{"title":"Current job title","location":"City and country"}""", body["struct"]!.ToJsonString());
        });

        // find-email got the lead with what lead_enrichment found, and the default mode.
        var emails = Sent(fake, "/find-email");
        Assert.Equal(leads.Length, emails.Count);
        Assert.All(emails, body =>
        {
            Assert.Equal("PROFESSIONAL", body["mode"]!.ToString());
            Assert.False(string.IsNullOrWhiteSpace(body["lead"]!["title"]?.ToString()));
            Assert.NotNull(body["lead"]!["name"]);
        });
        AssertNoRequestWasRefused(fake);
        Assert.Equal(verified.Count, await NotebookRowsAsync(server, "Verified leads"));
    }

    [Fact]
    public async Task The_fake_sixtyfour_answers_a_request_of_the_wrong_shape_422_as_fastapi_does()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions(), Ct);
        using var client = new HttpClient { BaseAddress = fake.BaseUrl };
        client.DefaultRequestHeaders.Add("x-api-key", fake.ApiKey);

        async Task<JsonElement> Refused(string path, string body)
        {
            var response = await client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"), Ct);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail");
        }

        var missing = await Refused("/enrich-company", """{"target_company": {"company_name": "Acme"}}""");
        Assert.Equal("""["body","struct"]""", missing[0].GetProperty("loc").GetRawText());
        Assert.Equal("missing", missing[0].GetProperty("type").GetString());
        Assert.Equal("Field required", missing[0].GetProperty("msg").GetString());

        var wrongMode = await Refused("/find-email", """{"lead": {"name": "Ada Lovelace"}, "mode": "WORK"}""");
        Assert.Equal("""["body","mode"]""", wrongMode[0].GetProperty("loc").GetRawText());
        Assert.Equal("literal_error", wrongMode[0].GetProperty("type").GetString());

        var wrongTypes = await Refused("/enrich-lead", """{"lead_info": "Ada Lovelace", "tier": "ultra", "struct": null}""");
        Assert.Equal(["dict_type", "literal_error"], wrongTypes.EnumerateArray().Select(e => e.GetProperty("type").GetString()));
        var phone = await Refused("/find-phone", """{"lead": {"name": "Ada"}, "providers": "all"}""");
        Assert.Equal("list_type", phone[0].GetProperty("type").GetString());
        Assert.Equal(0, fake.TotalCalls);
    }
}

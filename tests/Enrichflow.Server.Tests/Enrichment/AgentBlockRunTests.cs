using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Enrichflow.Fakes;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Enrichment;

/// <summary>
/// llm_openai, reverse_email, reverse_phone, qa_agent and research_agent (docs/api.md §5.3) run by a real server against
/// the fake Sixtyfour and OpenAI servers: their requests, their columns, the answer cache, credits, rejects and the 400s.
/// </summary>
public sealed class AgentBlockRunTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Definition(string blockName, string specs, string dataframeType = "LEAD") => """
        {"blocks": [
          {"sequence_number": 1, "block_name": "webhook", "block_id": "rows", "specs": {"dataframe_type": "TYPE"}},
          {"sequence_number": 2, "block_name": "BLOCK", "block_id": "agent", "specs": SPECS}],
         "edges": [{"from_block_id": "rows", "to_block_id": "agent"}]}
        """.Replace("TYPE", dataframeType, StringComparison.Ordinal).Replace("BLOCK", blockName, StringComparison.Ordinal).Replace("SPECS", specs, StringComparison.Ordinal);

    private static Dictionary<string, string?> Settings(params Dictionary<string, string?>[] parts)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase) { ["Engine:ChunkSize"] = "10" };
        foreach (var (key, value) in parts.SelectMany(p => p))
        {
            settings[key] = value;
        }

        return settings;
    }

    private static async Task<List<JsonElement>> RowsAsync(TestServer server, string runId) =>
        [.. (await server.DownloadFinalAsync(runId, "ndjson")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];

    private static async Task<List<JsonElement>> RejectsAsync(TestServer server, string runId)
    {
        var links = await server.DownloadLinksAsync(runId, "rejects");
        return links.EnumerateArray().FirstOrDefault(l => l.GetProperty("filename").GetString() == "rejects.ndjson") is { ValueKind: JsonValueKind.Object } file
            ? [.. file.GetProperty("results").EnumerateArray()]
            : [];
    }

    private static async Task<(string RunId, JsonElement Live)> RunAsync(TestServer server, string workflow, object[] rows, object? extra = null)
    {
        var runId = await server.StartRunAsync(workflow, extra ?? new { webhook_payload = rows }, "&result_formats=ndjson");
        var live = await server.WaitForRunAsync(runId, TimeSpan.FromSeconds(90));
        Assert.Equal("completed", live.GetProperty("overall_status").GetString());
        return (runId, live);
    }

    private static JsonElement Metrics(JsonElement live) => live.GetProperty("blocks")[1].GetProperty("metrics");

    private static async Task<(HttpStatusCode Status, List<(string Loc, string Msg)> Errors)> ValidateAsync(TestServer server, string definition)
    {
        var response = await server.Client.PostAsJsonAsync("/workflows/validate", new { workflow_definition = JsonDocument.Parse(definition).RootElement }, Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return (response.StatusCode, body.TryGetProperty("errors", out var errors)
            ? [.. errors.EnumerateArray().Select(e => (string.Join('.', e.GetProperty("loc").EnumerateArray().Select(l => l.ToString())), e.GetProperty("msg").GetString()!))]
            : []);
    }

    [Fact]
    public async Task Llm_openai_asks_once_per_row_with_its_prompt_caches_the_answers_and_rejects_an_answer_that_breaks_the_schema()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions(), Ct);
        fake.Script("Classify Initech: makes printers", FakeReply.SchemaViolation);
        await using var server = await TestServer.StartAsync(Settings(fake.ProviderConfiguration("gpt", "openai_compatible")));
        var workflow = await server.CreateWorkflowAsync(Definition("llm_openai", """
            {"prompt": "Classify {company}: {description}", "model": "small-model", "temperature": 0,
             "return_fields": {"segment": "B2B or B2C", "employees": {"description": "Employees", "type": "int"}}}
            """, "COMPANY"));
        object[] rows =
        [
            new { company = "Acme", description = "sells anvils" },
            new { company = "Initech", description = "makes printers" },
            new { company = "Globex", description = "builds reactors" },
            new { company = "", description = "" },
        ];

        var (runId, live) = await RunAsync(server, workflow, rows);

        var output = await RowsAsync(server, runId);
        Assert.Equal(["Acme", "Globex"], output.Select(r => r.GetProperty("company").GetString()));
        Assert.All(output, r => Assert.Equal(JsonValueKind.String, r.GetProperty("segment").ValueKind));
        Assert.All(output, r => Assert.Equal(JsonValueKind.Number, r.GetProperty("employees").ValueKind));
        var rejects = (await RejectsAsync(server, runId)).ToDictionary(r => r.GetProperty("row_index").GetInt64(), r => r.GetProperty("reason").GetString()!);
        Assert.Equal("llm_openai: gpt: field 'segment' should be str but was {\"unexpected\":true}", rejects[1]);
        Assert.Equal("llm_openai: nothing to ask: 'company', 'description' are empty", rejects[3]);
        var sent = fake.LastRequest("/v1/chat/completions")!.Body!;
        Assert.Equal("small-model", sent["model"]!.ToString());
        Assert.Equal(0, sent["temperature"]!.GetValue<double>());
        Assert.Equal(3, fake.TotalCalls);
        Assert.Equal(1, fake.CallsFor("Classify Acme: sells anvils"));
        Assert.Equal(3, Metrics(live).GetProperty("provider_calls").GetInt64());
        Assert.Equal(3, Metrics(live).GetProperty("credits_used").GetDouble());

        // The same rows again: the answers come from the organization's cache; the failed one (never cached) is asked again.
        var (again, liveAgain) = await RunAsync(server, workflow, rows);
        Assert.Equal(4, fake.TotalCalls);
        Assert.Equal(2, fake.CallsFor("Classify Initech: makes printers"));
        Assert.Equal(2, Metrics(liveAgain).GetProperty("cache_hits").GetInt64());
        var second = await RowsAsync(server, again);
        Assert.Equal(["Acme", "Initech", "Globex"], second.Select(r => r.GetProperty("company").GetString()));
        Assert.Equal(output.Select(r => r.GetRawText()), second.Where(r => r.GetProperty("company").GetString() != "Initech").Select(r => r.GetRawText()));
    }

    [Fact]
    public async Task Llm_openai_without_return_fields_writes_one_llm_output_column_and_pauses_at_the_runs_budget()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions(), Ct);
        var settings = Settings(fake.ProviderConfiguration("gpt", "openai_compatible"));
        settings["Providers:gpt:MaxConcurrency"] = "1";
        // One chunk, so that once the run is paused no unit of it is still asking.
        settings["Engine:ChunkSize"] = "20";
        await using var server = await TestServer.StartAsync(settings);
        var workflow = await server.CreateWorkflowAsync(Definition("llm_openai", """{"prompt": "Write a greeting for {name}"}"""));
        object[] rows = [.. Enumerable.Range(0, 12).Select(i => new { name = $"Person {i}" })];

        var runId = await server.StartRunAsync(workflow, new { webhook_payload = rows, max_credits = 5 }, "&result_formats=ndjson");
        var paused = await server.WaitForStatusAsync(runId, TimeSpan.FromSeconds(60), "paused", "completed", "failed");
        Assert.Equal("paused", paused.GetProperty("overall_status").GetString());
        Assert.Contains("budget of 5 credits", paused.GetProperty("status_reason").GetString(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await server.Client.PostAsJsonAsync($"/workflows/resume?job_id={runId}", new { max_credits = 100 }, Ct)).StatusCode);
        var live = await server.WaitForRunAsync(runId);
        Assert.Equal("completed", live.GetProperty("overall_status").GetString());
        var output = await RowsAsync(server, runId);
        Assert.Equal(12, output.Count);
        Assert.All(output, r => Assert.Equal(JsonValueKind.String, r.GetProperty("llm_output").ValueKind));
        Assert.Equal(12, fake.TotalCalls);
    }

    [Fact]
    public async Task An_estimate_counts_a_paid_call_per_row_until_the_answers_are_cached()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions(), Ct);
        var settings = Settings(fake.ProviderConfiguration("s64", "sixtyfour"));
        settings["Providers:s64:CreditsPerCall"] = "2";
        await using var server = await TestServer.StartAsync(settings);
        var workflow = await server.CreateWorkflowAsync(Definition("research_agent", """{"research_plan": "Find their pricing"}""", "COMPANY"));
        object[] rows = [new { domain = "a.example" }, new { domain = "b.example" }, new { domain = "" }];

        async Task<JsonElement> EstimateAsync()
        {
            var response = await server.Client.PostAsJsonAsync($"/workflows/estimate?workflow_id={workflow}", new { webhook_payload = rows }, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        }

        var before = await EstimateAsync();
        Assert.Equal(2, before.GetProperty("blocks")[1].GetProperty("provider_calls_estimate").GetInt64());
        Assert.Equal(4, before.GetProperty("credits_estimate").GetDouble());
        Assert.Equal(0, fake.TotalCalls);

        await RunAsync(server, workflow, rows);
        var after = await EstimateAsync();
        Assert.Equal(0, after.GetProperty("blocks")[1].GetProperty("provider_calls_estimate").GetInt64());
        Assert.Equal(0, after.GetProperty("credits_estimate").GetDouble());
        Assert.Equal(2, fake.TotalCalls);
    }

    [Fact]
    public async Task Reverse_email_adds_the_person_from_sixtyfour_and_keeps_rows_it_cannot_place()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions { HitPercent = 60, Seed = 3 }, Ct);
        await using var server = await TestServer.StartAsync(Settings(fake.ProviderConfiguration("s64", "sixtyfour")));
        var workflow = await server.CreateWorkflowAsync(Definition("reverse_email", """{"email_field": "work_email"}"""));
        object[] rows = [.. Enumerable.Range(0, 20).Select(i => new { work_email = $"Person.{i}@Acme.example" }), new { work_email = " " }];

        var (runId, live) = await RunAsync(server, workflow, rows);

        var output = await RowsAsync(server, runId);
        Assert.Equal(20, output.Count);
        var found = output.Where(r => r.GetProperty("enrich_status").GetString() == "ok").ToList();
        Assert.InRange(found.Count, 2, 19);
        Assert.All(found, r =>
        {
            Assert.Equal("s64", r.GetProperty("enrich_provider").GetString());
            Assert.StartsWith("Person ", r.GetProperty("name").GetString(), StringComparison.Ordinal);
            Assert.Equal("Acme", r.GetProperty("company").GetString());
            foreach (var column in (string[])["title", "linkedin", "location"])
            {
                Assert.Equal(JsonValueKind.String, r.GetProperty(column).ValueKind);
            }
        });
        Assert.All(output.Except(found), r => Assert.Equal(JsonValueKind.Null, r.GetProperty("name").ValueKind));
        Assert.Equal("""{"lead":{"email":"person.0@acme.example"}}""", fake.Requests.First(r => r.Path == "/reverse-email" && r.Key == "person.0@acme.example").Body!.ToJsonString());
        Assert.Equal("reverse_email: nothing to look up: 'work_email' is empty", Assert.Single(await RejectsAsync(server, runId)).GetProperty("reason").GetString());
        Assert.Equal(found.Count, Metrics(live).GetProperty("providers")[0].GetProperty("hits").GetInt64());
    }

    [Fact]
    public async Task Reverse_email_through_a_lookup_table_keyed_by_email_is_free()
    {
        var table = Path.Combine(Path.GetTempPath(), $"people-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(table, "email,name,title,company,linkedin,location\nada@analytical.example,Ada Lovelace,Analyst,Analytical Engines,https://www.linkedin.com/in/ada,London\n", Ct);
        try
        {
            await using var server = await TestServer.StartAsync(Settings(new Dictionary<string, string?>
            {
                ["Providers:people:Kind"] = "lookup",
                ["Providers:people:Path"] = table,
                ["Providers:people:KeyField"] = "email",
                ["Providers:people:Operations:0"] = "reverse_email",
            }));
            var workflow = await server.CreateWorkflowAsync(Definition("reverse_email", "{}"));

            var (runId, live) = await RunAsync(server, workflow, [new { email = "ADA@analytical.example" }, new { email = "bob@nowhere.example" }]);

            var output = await RowsAsync(server, runId);
            Assert.Equal(("Ada Lovelace", "Analyst", "London", "ok"), (output[0].GetProperty("name").GetString(), output[0].GetProperty("title").GetString(), output[0].GetProperty("location").GetString(), output[0].GetProperty("enrich_status").GetString()));
            Assert.Equal("not_found", output[1].GetProperty("enrich_status").GetString());
            Assert.Equal(0, Metrics(live).GetProperty("credits_used").GetDouble());
        }
        finally
        {
            File.Delete(table);
        }
    }

    [Fact]
    public async Task Reverse_phone_asks_sixtyfour_with_the_number()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions(), Ct);
        await using var server = await TestServer.StartAsync(Settings(fake.ProviderConfiguration("s64", "sixtyfour")));
        var workflow = await server.CreateWorkflowAsync(Definition("reverse_phone", "{}"));

        var (runId, _) = await RunAsync(server, workflow, [new { phone = "+1 555 0100  1234" }]);

        var row = Assert.Single(await RowsAsync(server, runId));
        Assert.Equal("ok", row.GetProperty("enrich_status").GetString());
        Assert.Equal(JsonValueKind.String, row.GetProperty("name").ValueKind);
        Assert.Equal("+1 555 0100 1234", fake.LastRequest("/reverse-phone")!.Body!["lead"]!["phone"]!.ToString());
    }

    [Fact]
    public async Task Qa_agent_scores_each_row_through_a_sixtyfour_job_and_adds_the_score_the_verdict_and_one_column_per_criterion()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions(), Ct);
        await using var server = await TestServer.StartAsync(Settings(fake.ProviderConfiguration("s64", "sixtyfour")));
        var workflow = await server.CreateWorkflowAsync(Definition("qa_agent", """
            {"qualification_criteria": [
               {"criteria_name": "fit", "description": "Sells B2B software", "weight": 3, "threshold": 0.4},
               {"criteria_name": "size", "description": "More than 50 employees"}],
             "return_fields": {"industry": "The company's industry"}}
            """, "COMPANY"));
        object[] rows = [.. Enumerable.Range(0, 8).Select(i => new { company_name = $"Company {i}", domain = $"c{i}.example" })];

        var (runId, _) = await RunAsync(server, workflow, rows);

        var output = await RowsAsync(server, runId);
        Assert.Equal(8, output.Count);
        Assert.All(output, r =>
        {
            var fit = r.GetProperty("qa_fit").GetDouble();
            var size = r.GetProperty("qa_size").GetDouble();
            Assert.InRange(fit, 0, 1);
            Assert.Equal(Math.Round((3 * fit + size) / 4, 4), r.GetProperty("qa_score").GetDouble(), 4);
            Assert.Equal(fit >= 0.4, r.GetProperty("qa_qualified").GetBoolean());
            Assert.Equal(JsonValueKind.String, r.GetProperty("industry").ValueKind);
            Assert.Contains("2 criteria", r.GetProperty("notes").GetString(), StringComparison.Ordinal);
        });
        var sent = fake.Requests.First(r => r.Path == "/qa-agent-async" && r.Key == "c0.example").Body!;
        Assert.Equal("""{"company_name":"Company 0","domain":"c0.example"}""", sent["data"]!.ToJsonString());
        Assert.Equal("""{"criteria_name":"size","description":"More than 50 employees","weight":1}""", sent["qualification_criteria"]![1]!.ToJsonString());
        Assert.Equal("The company's industry", sent["struct"]!["industry"]!.ToString());
        Assert.True(fake.Polls >= 8);
    }

    [Fact]
    public async Task Qa_agent_through_a_chat_model_scores_the_same_columns()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions(), Ct);
        await using var server = await TestServer.StartAsync(Settings(fake.ProviderConfiguration("s64", "sixtyfour"), fake.ProviderConfiguration("gpt", "openai_compatible")));
        var workflow = await server.CreateWorkflowAsync(Definition("qa_agent", """
            {"qualification_criteria": [{"criteria_name": "senior", "description": "Is a director or above"}], "provider": "gpt"}
            """));

        var (runId, _) = await RunAsync(server, workflow, [new { name = "Ada Lovelace", title = "Director of Engineering" }]);

        var row = Assert.Single(await RowsAsync(server, runId));
        var score = row.GetProperty("qa_senior").GetDouble();
        Assert.Equal(score, row.GetProperty("qa_score").GetDouble());
        Assert.Equal(score >= 0.5, row.GetProperty("qa_qualified").GetBoolean());
        Assert.Equal(JsonValueKind.String, row.GetProperty("notes").ValueKind);
        Assert.Null(fake.LastRequest("/qa-agent-async"));
        Assert.NotNull(fake.LastRequest("/v1/chat/completions"));
    }

    [Fact]
    public async Task Research_agent_sends_the_row_as_input_data_and_adds_its_fields_notes_and_references()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions(), Ct);
        fake.Script("c2.example", FakeReply.JobFailed("research agent crashed"));
        await using var server = await TestServer.StartAsync(Settings(fake.ProviderConfiguration("s64", "sixtyfour")));
        var workflow = await server.CreateWorkflowAsync(Definition("research_agent", """
            {"research_plan": "Read their pricing page", "return_fields": {"pricing_model": "How they charge", "founded": {"description": "Year founded", "type": "int"}}}
            """, "COMPANY"));
        object[] rows = [.. Enumerable.Range(0, 4).Select(i => new { domain = $"c{i}.example" })];

        var (runId, _) = await RunAsync(server, workflow, rows);

        var output = await RowsAsync(server, runId);
        Assert.Equal(["c0.example", "c1.example", "c3.example"], output.Select(r => r.GetProperty("domain").GetString()));
        Assert.All(output, r =>
        {
            Assert.Equal(JsonValueKind.Number, r.GetProperty("founded").ValueKind);
            Assert.Equal(JsonValueKind.String, r.GetProperty("notes").ValueKind);
            Assert.Equal(JsonValueKind.Object, r.GetProperty("references").ValueKind);
            Assert.Equal(JsonValueKind.Number, r.GetProperty("confidence_score").ValueKind);
        });
        var reject = Assert.Single(await RejectsAsync(server, runId));
        Assert.Matches(@"^research_agent: s64: job task_\d+ failed: research agent crashed$", reject.GetProperty("reason").GetString());
        var sent = fake.Requests.First(r => r.Path == "/research-agent-async" && r.Key == "c0.example").Body!;
        Assert.Equal("""{"domain":"c0.example"}""", sent["input_data"]!.ToJsonString());
        Assert.Equal("Read their pricing page", sent["research_plan"]!.ToString());
        Assert.Equal("Year founded (type: int)", sent["struct"]!["founded"]!.ToString());
    }

    [Fact]
    public async Task Bad_specs_are_400s_naming_the_block_the_field_and_the_providers_that_can()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions(), Ct);
        await using var server = await TestServer.StartAsync(Settings(fake.ProviderConfiguration("s64", "sixtyfour"), fake.ProviderConfiguration("gpt", "openai_compatible")));

        var (status, errors) = await ValidateAsync(server, Definition("qa_agent", "{}"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = Assert.Single(errors);
        Assert.Equal("body.workflow_definition.blocks.1.specs.qualification_criteria", error.Loc);
        Assert.StartsWith("Block 'agent': qualification_criteria is required", error.Msg, StringComparison.Ordinal);

        (status, errors) = await ValidateAsync(server, Definition("qa_agent", """{"qualification_criteria": [{"criteria_name": "fit", "description": "x"}, {"criteria_name": "Fit", "threshold": 2}]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(
            ["body.workflow_definition.blocks.1.specs.qualification_criteria.1.criteria_name", "body.workflow_definition.blocks.1.specs.qualification_criteria.1.description", "body.workflow_definition.blocks.1.specs.qualification_criteria.1.threshold"],
            errors.Select(e => e.Loc));

        (status, errors) = await ValidateAsync(server, Definition("llm_openai", """{"prompt": "Hi {name}", "provider": "s64"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(("body.workflow_definition.blocks.1.specs.provider", "Block 'agent': provider 's64' (sixtyfour) cannot answer a prompt (llm); providers that can: gpt."), Assert.Single(errors));

        (status, errors) = await ValidateAsync(server, Definition("reverse_phone", """{"provider": "gpt"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("Block 'agent': provider 'gpt' (openai_compatible) cannot look up the person behind a phone number (reverse_phone); providers that can: s64.", Assert.Single(errors).Msg);

        (status, errors) = await ValidateAsync(server, Definition("llm_openai", """{"temperature": 3}"""));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(["body.workflow_definition.blocks.1.specs.prompt", "body.workflow_definition.blocks.1.specs.temperature"], errors.Select(e => e.Loc));

        (status, errors) = await ValidateAsync(server, Definition("research_agent", """{"return_fields": {"notes": "x"}}"""));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("body.workflow_definition.blocks.1.specs.return_fields.notes", Assert.Single(errors).Loc);
    }

    [Fact]
    public async Task With_no_provider_that_can_answer_a_prompt_llm_openai_is_a_400_naming_the_kind_that_can()
    {
        await using var server = await TestServer.StartAsync();
        var (status, errors) = await ValidateAsync(server, Definition("llm_openai", """{"prompt": "Hi {name}"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("Block 'agent': no provider configured on this server can answer a prompt (llm); an openai_compatible provider can (add one under Providers in the server configuration).", Assert.Single(errors).Msg);
    }

    [Fact]
    public async Task The_block_catalogue_lists_the_five_blocks_with_their_specs_schemas()
    {
        await using var server = await TestServer.StartAsync();
        var blocks = (await server.Client.GetFromJsonAsync<JsonElement>("/workflows/blocks", Ct)).EnumerateArray()
            .ToDictionary(b => b.GetProperty("block_name").GetString()!);

        string[][] expected =
        [
            ["llm_openai", "prompt", "return_fields", "system_prompt", "model", "temperature", "provider"],
            ["reverse_email", "email_field", "provider"],
            ["reverse_phone", "phone_field", "provider"],
            ["qa_agent", "qualification_criteria", "return_fields", "provider"],
            ["research_agent", "research_plan", "return_fields", "provider"],
        ];
        foreach (var names in expected)
        {
            var properties = blocks[names[0]].GetProperty("specs_schema").GetProperty("properties");
            Assert.Equal(names[1..], properties.EnumerateObject().Select(p => p.Name));
            Assert.False(string.IsNullOrWhiteSpace(blocks[names[0]].GetProperty("description").GetString()));
        }

        Assert.Equal(["LEAD"], blocks["reverse_email"].GetProperty("dataframe_types").EnumerateArray().Select(t => t.GetString()));
        var criterion = blocks["qa_agent"].GetProperty("specs_schema").GetProperty("properties").GetProperty("qualification_criteria").GetProperty("items").GetProperty("properties");
        Assert.Equal(["criteria_name", "description", "weight", "threshold"], criterion.EnumerateObject().Select(p => p.Name));
    }
}

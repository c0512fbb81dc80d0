using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Enrichflow.Fakes;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Enrichment;

/// <summary>
/// Enrichment runs against fake provider servers on loopback ports that imitate the real APIs: the waterfall,
/// the cache ("never pay twice"), 402 and budget pauses with resume, 401, 429 and answers that cannot be used.
/// </summary>
public sealed class ProviderRunTests(ITestOutputHelper output)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Definition(string provider) => """
        {"blocks": [
          {"sequence_number": 1, "block_name": "webhook", "block_id": "companies", "specs": {"dataframe_type": "COMPANY"}},
          {"sequence_number": 2, "block_name": "enrich_company", "block_id": "enrich",
           "specs": {"company_field": "name", "website_field": "website", "provider": PROVIDER,
                     "return_fields": {"employees": {"description": "Number of employees", "type": "int"}, "country": "Country of the headquarters"}}}],
         "edges": [{"from_block_id": "companies", "to_block_id": "enrich"}]}
        """.Replace("PROVIDER", provider, StringComparison.Ordinal);

    private static object[] Companies(int count, int from = 0) =>
        [.. Enumerable.Range(from, count).Select(i => new { name = $"Company {i}", website = $"https://c{i}.example" })];

    private static Dictionary<string, string?> Settings(params Dictionary<string, string?>[] parts)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase) { ["Engine:ChunkSize"] = "10" };
        foreach (var part in parts)
        {
            foreach (var (key, value) in part)
            {
                settings[key] = value;
            }
        }

        return settings;
    }

    private static Task<List<JsonElement>> RowsAsync(TestServer server, string runId) => RunRows.FinalAsync(server, runId);

    private static Task<List<JsonElement>> RejectsAsync(TestServer server, string runId) => RunRows.RejectsAsync(server, runId);

    /// <summary>Waits (30 s at most) until the fake has been called <paramref name="calls"/> times.</summary>
    private static async Task WaitForCallsAsync(FakeProviderServer fake, int calls, string failure)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (fake.TotalCalls < calls)
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(20, Ct);
        }
    }

    private static JsonElement BlockMetrics(JsonElement live) => live.GetProperty("blocks")[1].GetProperty("metrics");

    [Fact]
    public async Task A_waterfall_asks_the_next_provider_only_for_rows_the_first_could_not_fill_and_counts_each_step()
    {
        await using var first = await FakeProviderServer.StartAsync(new FakeProviderOptions { HitPercent = 50, Seed = 7 }, Ct);
        await using var second = await FakeProviderServer.StartAsync(new FakeProviderOptions { HitPercent = 100 }, Ct);
        var settings = Settings(first.ProviderConfiguration("s64", "sixtyfour"), second.ProviderConfiguration("vendor", "sixtyfour"));
        settings["Providers:vendor:CreditsPerCall"] = "2";
        await using var server = await TestServer.StartAsync(settings);
        var workflow = await server.CreateWorkflowAsync(Definition("""["s64", "vendor"]"""));
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = Companies(40) }, "&result_formats=ndjson");
        var live = await server.WaitForRunAsync(runId);
        Assert.Equal("completed", live.GetProperty("overall_status").GetString());

        var rows = await RowsAsync(server, runId);
        Assert.Equal(40, rows.Count);
        Assert.All(rows, r => Assert.Equal("ok", r.GetProperty("enrich_status").GetString()));
        Assert.All(rows, r => Assert.Equal(JsonValueKind.Number, r.GetProperty("employees").ValueKind));
        var firstHits = rows.Count(r => r.GetProperty("enrich_provider").GetString() == "s64");
        Assert.InRange(firstHits, 5, 35);
        Assert.Equal(40 - firstHits, rows.Count(r => r.GetProperty("enrich_provider").GetString() == "vendor"));

        // Every row went to the first provider once; only its misses went to the second.
        Assert.Equal(40, first.TotalCalls);
        Assert.Equal(40 - firstHits, second.TotalCalls);
        Assert.All(Enumerable.Range(0, 40), i => Assert.True(first.CallsFor($"c{i}.example") == 1, $"c{i}.example was sent {first.CallsFor($"c{i}.example")} times"));

        var metrics = BlockMetrics(live);
        Assert.Equal(40 + 40 - firstHits, metrics.GetProperty("provider_calls").GetInt64());
        Assert.Equal(40 + 2 * (40 - firstHits), metrics.GetProperty("credits_used").GetDouble());
        var steps = metrics.GetProperty("providers").EnumerateArray().ToDictionary(s => s.GetProperty("provider").GetString()!);
        Assert.Equal(firstHits, steps["s64"].GetProperty("hits").GetInt64());
        Assert.Equal(40 - firstHits, steps["s64"].GetProperty("misses").GetInt64());
        Assert.Equal(40 - firstHits, steps["vendor"].GetProperty("hits").GetInt64());

        var run = await server.Client.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}", Ct);
        Assert.Equal(40 + 2 * (40 - firstHits), run.GetProperty("metrics").GetProperty("credits_used").GetDouble());
        Assert.Equal(2, run.GetProperty("metrics").GetProperty("providers").GetArrayLength());
    }

    [Fact]
    public async Task A_second_run_over_the_same_rows_pays_for_nothing_and_a_run_with_the_cache_off_pays_again()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions { HitPercent = 70 }, Ct);
        await using var server = await TestServer.StartAsync(Settings(fake.ProviderConfiguration("s64", "sixtyfour")));
        var workflow = await server.CreateWorkflowAsync(Definition("\"s64\""));
        var payload = Companies(30);

        var firstRun = await server.StartRunAsync(workflow, new { webhook_payload = payload }, "&result_formats=ndjson");
        Assert.Equal("completed", (await server.WaitForRunAsync(firstRun)).GetProperty("overall_status").GetString());
        Assert.Equal(30, fake.TotalCalls);

        // Found and not-found answers are both cached: the second run is served from the cache, same rows, same values.
        var secondRun = await server.StartRunAsync(workflow, new { webhook_payload = payload }, "&result_formats=ndjson");
        var live = await server.WaitForRunAsync(secondRun);
        Assert.Equal("completed", live.GetProperty("overall_status").GetString());
        Assert.Equal(30, fake.TotalCalls);
        Assert.Equal(30, BlockMetrics(live).GetProperty("cache_hits").GetInt64());
        Assert.Equal(0, BlockMetrics(live).GetProperty("provider_calls").GetInt64());
        Assert.Equal(0, BlockMetrics(live).GetProperty("credits_used").GetDouble());
        var before = (await RowsAsync(server, firstRun)).Select(r => r.GetRawText()).ToList();
        var after = (await RowsAsync(server, secondRun)).Select(r => r.GetRawText()).ToList();
        Assert.Equal(before, after);

        // Another workflow of the same organization reads the same cache.
        var other = await server.CreateWorkflowAsync(Definition("\"s64\""));
        var thirdRun = await server.StartRunAsync(other, new { webhook_payload = payload[..10] });
        Assert.Equal("completed", (await server.WaitForRunAsync(thirdRun)).GetProperty("overall_status").GetString());
        Assert.Equal(30, fake.TotalCalls);

        var uncached = await server.StartRunAsync(workflow, new { webhook_payload = payload[..5], cache_config = new { enabled = false } });
        Assert.Equal("completed", (await server.WaitForRunAsync(uncached)).GetProperty("overall_status").GetString());
        Assert.Equal(35, fake.TotalCalls);

        // ttl_days 0 accepts no cached answer: the run asks again (and its answers refresh the cache).
        var fresh = await server.StartRunAsync(workflow, new { webhook_payload = payload[..4], cache_config = new { ttl_days = 0 } });
        Assert.Equal("completed", (await server.WaitForRunAsync(fresh)).GetProperty("overall_status").GetString());
        Assert.Equal(39, fake.TotalCalls);
    }

    [Fact]
    public async Task A_402_pauses_the_run_with_the_providers_reason_and_resume_finishes_it_without_paying_twice()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions(), Ct);
        fake.Script("c25.example", FakeReply.Status(402, detail: "Insufficient credits: top up your account"));
        var settings = Settings(fake.ProviderConfiguration("s64", "sixtyfour"));
        settings["Providers:s64:MaxConcurrency"] = "1";
        await using var server = await TestServer.StartAsync(settings);
        var workflow = await server.CreateWorkflowAsync(Definition("\"s64\""));
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = Companies(40) }, "&result_formats=ndjson");

        var paused = await server.WaitForStatusAsync(runId, TimeSpan.FromSeconds(60), "paused", "completed", "failed");
        Assert.Equal("paused", paused.GetProperty("overall_status").GetString());
        var reason = paused.GetProperty("status_reason").GetString()!;
        Assert.Contains("402", reason, StringComparison.Ordinal);
        Assert.Contains("Insufficient credits", reason, StringComparison.Ordinal);
        Assert.Contains("resume", reason, StringComparison.Ordinal);
        var run = await server.Client.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}", Ct);
        Assert.Equal("paused", run.GetProperty("status").GetString());

        var resume = await server.Client.PostAsync($"/workflows/resume?job_id={runId}", null, Ct);
        Assert.Equal(HttpStatusCode.OK, resume.StatusCode);
        var live = await server.WaitForRunAsync(runId);
        Assert.Equal("completed", live.GetProperty("overall_status").GetString());
        var rows = await RowsAsync(server, runId);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"Company {i}"), rows.Select(r => r.GetProperty("name").GetString()));
        Assert.All(rows, r => Assert.Equal("ok", r.GetProperty("enrich_status").GetString()));

        // The 402 answer and its retry are the only repeat; rows answered before the pause came from the cache.
        Assert.Equal(2, fake.CallsFor("c25.example"));
        Assert.All(Enumerable.Range(0, 40).Where(i => i != 25), i => Assert.Equal(1, fake.CallsFor($"c{i}.example")));
    }

    [Fact]
    public async Task A_run_pauses_when_its_budget_is_reached_and_resume_with_a_higher_budget_completes_it()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions(), Ct);
        await using var server = await TestServer.StartAsync(Settings(fake.ProviderConfiguration("s64", "sixtyfour")));
        var workflow = await server.CreateWorkflowAsync(Definition("\"s64\""));
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = Companies(30), max_credits = 12 }, "&result_formats=ndjson");

        var paused = await server.WaitForStatusAsync(runId, TimeSpan.FromSeconds(60), "paused", "completed", "failed");
        Assert.Equal("paused", paused.GetProperty("overall_status").GetString());
        Assert.Contains("budget of 12 credits", paused.GetProperty("status_reason").GetString(), StringComparison.Ordinal);
        // The calls under way when the run paused finish and are recorded: exactly the budget, never more.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        double spent;
        while ((spent = (await server.Client.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}", Ct)).GetProperty("metrics").GetProperty("credits_used").GetDouble()) < 12
            && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, Ct);
        }

        Assert.Equal(12, spent);
        Assert.Equal(12, fake.TotalCalls);

        // Resuming with the same budget pauses again at once; a higher one lets it finish.
        Assert.Equal(HttpStatusCode.OK, (await server.Client.PostAsync($"/workflows/resume?job_id={runId}", null, Ct)).StatusCode);
        Assert.Equal("paused", (await server.WaitForStatusAsync(runId, TimeSpan.FromSeconds(60), "paused", "completed", "failed")).GetProperty("overall_status").GetString());
        Assert.Equal(12, fake.TotalCalls);
        var bad = await server.Client.PostAsJsonAsync($"/workflows/resume?job_id={runId}", new { max_credits = "lots" }, Ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.PostAsJsonAsync($"/workflows/resume?job_id={runId}", new { max_credits = 100 }, Ct)).StatusCode);
        var live = await server.WaitForRunAsync(runId);
        Assert.Equal("completed", live.GetProperty("overall_status").GetString());
        Assert.Equal(30, fake.TotalCalls);
        Assert.Equal(30, BlockMetrics(live).GetProperty("credits_used").GetDouble());
        Assert.Equal(30, (await RowsAsync(server, runId)).Count);
    }

    [Fact]
    public async Task A_401_fails_the_blocks_calls_with_the_providers_message_and_the_run_still_completes()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions { ApiKey = "the-right-key" }, Ct);
        var settings = Settings(fake.ProviderConfiguration("s64", "sixtyfour"));
        settings["Providers:s64:ApiKey"] = "a-wrong-key";
        settings["Providers:s64:MaxConcurrency"] = "1";
        await using var server = await TestServer.StartAsync(settings);
        var workflow = await server.CreateWorkflowAsync(Definition("\"s64\""));
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = Companies(30) }, "&result_formats=ndjson");
        var live = await server.WaitForRunAsync(runId);
        Assert.Equal("completed", live.GetProperty("overall_status").GetString());

        var rejects = await RejectsAsync(server, runId);
        Assert.Equal(30, rejects.Count);
        Assert.All(rejects, r => Assert.Contains("401", r.GetProperty("reason").GetString(), StringComparison.Ordinal));
        // Once refused, the block stops asking: one call per chunk of 10 rows at most, not one per row.
        Assert.InRange(fake.TotalCalls, 1, 3);
        Assert.Equal(30, BlockMetrics(live).GetProperty("rows_failed").GetInt64());
    }

    [Fact]
    public async Task Unusable_answers_fail_only_their_rows_with_the_reason_and_the_run_goes_on()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions(), Ct);
        fake.Script("c1.example", FakeReply.MalformedJson);
        fake.Script("c2.example", FakeReply.HtmlErrorPage);
        fake.Script("c3.example", FakeReply.EmptyBody);
        fake.Script("c4.example", FakeReply.SchemaViolation);
        fake.Script("c5.example", FakeReply.Hang, FakeReply.Hang);
        fake.Script("c6.example", FakeReply.Status(500), FakeReply.Status(500));
        fake.Script("c7.example", FakeReply.Status(429, retryAfterSeconds: 1));
        var settings = Settings(fake.ProviderConfiguration("s64", "sixtyfour"));
        settings["Providers:s64:UseAsyncJobs"] = "false";
        settings["Providers:s64:TimeoutSeconds"] = "1";
        settings["Providers:s64:MaxAttempts"] = "2";
        await using var server = await TestServer.StartAsync(settings);
        var workflow = await server.CreateWorkflowAsync(Definition("\"s64\""));
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = Companies(10) }, "&result_formats=ndjson");
        var live = await server.WaitForRunAsync(runId, TimeSpan.FromSeconds(90));
        Assert.Equal("completed", live.GetProperty("overall_status").GetString());

        var reasons = (await RejectsAsync(server, runId)).ToDictionary(r => r.GetProperty("row").GetProperty("name").GetString()!, r => r.GetProperty("reason").GetString()!);
        Assert.Equal(["Company 1", "Company 2", "Company 3", "Company 4", "Company 5", "Company 6"], reasons.Keys.Order());
        Assert.Contains("malformed JSON", reasons["Company 1"], StringComparison.OrdinalIgnoreCase);
        Assert.Contains("HTML", reasons["Company 2"], StringComparison.Ordinal);
        Assert.Contains("empty", reasons["Company 3"], StringComparison.OrdinalIgnoreCase);
        Assert.Contains("employees", reasons["Company 4"], StringComparison.Ordinal);
        // A paid POST that stalled past the attempt timeout is not sent again: it may have been charged (issue 11 item 2).
        Assert.EndsWith("s64: timed out after 1 s; not retried because the call may have been charged", reasons["Company 5"], StringComparison.Ordinal);
        Assert.Equal(1, fake.CallsFor("c5.example"));
        var step = Assert.Single(BlockMetrics(live).GetProperty("providers").EnumerateArray());
        Assert.Equal(1, step.GetProperty("not_retried").GetInt64());
        var run = await server.Client.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}", Ct);
        Assert.Equal(1, Assert.Single(run.GetProperty("metrics").GetProperty("providers").EnumerateArray()).GetProperty("not_retried").GetInt64());
        Assert.True(reasons["Company 6"].Contains("500", StringComparison.Ordinal), string.Join(" | ", reasons.Select(r => $"{r.Key}: {r.Value}")));
        Assert.All(reasons.Values, r => Assert.Contains("s64", r, StringComparison.Ordinal));

        // The 429 was waited out (Retry-After) and the row enriched; the others were not disturbed.
        var rows = await RowsAsync(server, runId);
        Assert.Equal(["Company 0", "Company 7", "Company 8", "Company 9"], rows.Select(r => r.GetProperty("name").GetString()));
        Assert.All(rows, r => Assert.Equal("ok", r.GetProperty("enrich_status").GetString()));
        Assert.Equal(2, fake.CallsFor("c7.example"));

        // Failures are never cached: a second run asks again for those rows only.
        var calls = fake.TotalCalls;
        var again = await server.StartRunAsync(workflow, new { webhook_payload = Companies(10) });
        Assert.Equal("completed", (await server.WaitForRunAsync(again)).GetProperty("overall_status").GetString());
        Assert.Equal(calls + 6, fake.TotalCalls);
    }

    [Fact]
    public async Task The_website_provider_reads_the_companys_own_site_and_refuses_private_addresses()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions(), Ct);
        var settings = Settings(fake.ProviderConfiguration("site", "website"));
        settings["Outbound:Allow:0"] = "127.0.0.1/32";
        await using var server = await TestServer.StartAsync(settings);
        var workflow = await server.CreateWorkflowAsync("""
            {"blocks": [
              {"sequence_number": 1, "block_name": "webhook", "block_id": "companies", "specs": {"dataframe_type": "COMPANY"}},
              {"sequence_number": 2, "block_name": "enrich_company", "block_id": "enrich",
               "specs": {"website_field": "website", "provider": "site",
                         "return_fields": {"description": "What the company does", "linkedin": "LinkedIn page", "emails": {"description": "Contact addresses", "type": "list[str]"}}}}],
             "edges": [{"from_block_id": "companies", "to_block_id": "enrich"}]}
            """);
        var runId = await server.StartRunAsync(workflow, new
        {
            webhook_payload = new object[]
            {
                new { website = fake.SiteUrl("acme.example").AbsoluteUri },
                new { website = "http://10.20.30.40/" },
                new { website = "http://169.254.169.254/latest/meta-data/" },
            },
        }, "&result_formats=ndjson");
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());

        var row = Assert.Single(await RowsAsync(server, runId));
        Assert.Equal("ok", row.GetProperty("enrich_status").GetString());
        Assert.False(string.IsNullOrWhiteSpace(row.GetProperty("description").GetString()));
        Assert.Contains("linkedin.com", row.GetProperty("linkedin").GetString(), StringComparison.Ordinal);
        Assert.NotEmpty(row.GetProperty("emails").EnumerateArray());

        var rejects = await RejectsAsync(server, runId);
        Assert.Equal(2, rejects.Count);
        Assert.All(rejects, r => Assert.Contains("refused", r.GetProperty("reason").GetString(), StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task The_estimate_of_a_filtered_waterfall_is_within_15_percent_of_the_credits_the_run_then_uses()
    {
        await using var first = await FakeProviderServer.StartAsync(new FakeProviderOptions { HitPercent = 60, Seed = 11 }, Ct);
        await using var second = await FakeProviderServer.StartAsync(new FakeProviderOptions { HitPercent = 80, Seed = 12 }, Ct);
        var settings = Settings(first.ProviderConfiguration("s64", "sixtyfour"), second.ProviderConfiguration("vendor", "sixtyfour"));
        settings["Engine:ChunkSize"] = "200";
        settings["Providers:vendor:CreditsPerCall"] = "3";
        await using var server = await TestServer.StartAsync(settings);
        var definition = """
            {"blocks": [
              {"sequence_number": 1, "block_name": "webhook", "block_id": "companies", "specs": {"dataframe_type": "COMPANY"}},
              {"sequence_number": 2, "block_name": "filter", "block_id": "big", "specs": {"filters": [{"column": "size", "operator": "greater_or_equal", "value": 40}]}},
              {"sequence_number": 3, "block_name": "enrich_company", "block_id": "enrich",
               "specs": {"website_field": "website", "provider": ["s64", "vendor"], "return_fields": {"employees": {"description": "Employees", "type": "int"}}}}],
             "edges": [{"from_block_id": "companies", "to_block_id": "big"}, {"from_block_id": "big", "to_block_id": "enrich"}]}
            """;
        var workflow = await server.CreateWorkflowAsync(definition);
        var random = new Random(2026);
        object[] Rows(int count, int from) => [.. Enumerable.Range(from, count).Select(i => new { website = $"https://c{i}.example", size = random.Next(0, 100) })];

        // A first run gives the providers a history (their past hit rates).
        var seed = await server.StartRunAsync(workflow, new { webhook_payload = Rows(400, 100_000) });
        Assert.Equal("completed", (await server.WaitForRunAsync(seed)).GetProperty("overall_status").GetString());

        var payload = Rows(3000, 0);
        var response = await server.Client.PostAsJsonAsync($"/workflows/estimate?workflow_id={workflow}", new { webhook_payload = payload }, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var estimate = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(3000, estimate.GetProperty("rows_in").GetInt64());
        var callsBefore = first.TotalCalls + second.TotalCalls;

        var runId = await server.StartRunAsync(workflow, new { webhook_payload = payload });
        var live = await server.WaitForRunAsync(runId, TimeSpan.FromSeconds(120));
        Assert.Equal("completed", live.GetProperty("overall_status").GetString());
        var actual = live.GetProperty("blocks")[2].GetProperty("metrics").GetProperty("credits_used").GetDouble();
        var predicted = estimate.GetProperty("credits_estimate").GetDouble();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"estimated {predicted} credits, the run used {actual} ({(predicted - actual) / actual:P1})"));
        Assert.True(Math.Abs(predicted - actual) <= 0.15 * actual,
            string.Create(CultureInfo.InvariantCulture, $"estimated {predicted} credits, the run used {actual}: {estimate}"));

        // The estimate made no paid call, and its row counts follow the filter.
        Assert.Equal(callsBefore, first.TotalCalls + second.TotalCalls - (int)live.GetProperty("blocks")[2].GetProperty("metrics").GetProperty("provider_calls").GetInt64());
        var blocks = estimate.GetProperty("blocks").EnumerateArray().ToDictionary(b => b.GetProperty("block_id").GetString()!);
        var enrichIn = live.GetProperty("blocks")[2].GetProperty("metrics").GetProperty("processed_count").GetInt64();
        Assert.InRange(blocks["enrich"].GetProperty("rows_in_estimate").GetInt64(), enrichIn * 0.85, enrichIn * 1.15);
    }

    [Fact]
    public async Task A_long_enrichment_waits_in_its_own_pool_and_never_starves_other_runs_of_workers()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions { LatencyMin = TimeSpan.FromSeconds(2), LatencyMax = TimeSpan.FromSeconds(3) }, Ct);
        var settings = Settings(fake.ProviderConfiguration("s64", "sixtyfour"));
        settings["Engine:Workers"] = "1";
        settings["Engine:IoWorkers"] = "2";
        settings["Providers:s64:MaxConcurrency"] = "2";
        await using var server = await TestServer.StartAsync(settings);
        var enrich = await server.CreateWorkflowAsync(Definition("\"s64\""));
        var slow = await server.StartRunAsync(enrich, new { webhook_payload = Companies(200) });
        await WaitForCallsAsync(fake, 1, "the enrichment run made no call");

        // One CPU worker, and the enrichment (200 rows, 2 at a time, 2-3 s each) holds I/O slots for minutes:
        // a plain run still goes through at once.
        var plain = await server.CreateWorkflowAsync(Definitions.WebhookValidate);
        var quick = await server.StartRunAsync(plain, new { webhook_payload = Enumerable.Range(0, 500).Select(i => new { email = $"lead{i}@example.com" }).ToArray() });
        Assert.Equal("completed", (await server.WaitForRunAsync(quick, TimeSpan.FromSeconds(30))).GetProperty("overall_status").GetString());
        var live = await server.Client.GetFromJsonAsync<JsonElement>($"/workflows/runs/{slow}/live_status", Ct);
        Assert.Equal("running", live.GetProperty("overall_status").GetString());
        Assert.True(fake.MaxInFlight <= 2, $"{fake.MaxInFlight} calls were in flight at once; MaxConcurrency is 2");
        await server.Client.PostAsync($"/workflows/cancel?job_id={slow}", null, Ct);
    }

    [Fact]
    public async Task A_unit_paced_by_a_slow_provider_may_outlast_the_unit_timeout()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions { LatencyMin = TimeSpan.FromSeconds(1.5), LatencyMax = TimeSpan.FromSeconds(1.5) }, Ct);
        var settings = Settings(fake.ProviderConfiguration("s64", "sixtyfour"));
        settings["Engine:UnitTimeout"] = "00:00:02";
        settings["Providers:s64:MaxConcurrency"] = "1";
        settings["Providers:s64:UseAsyncJobs"] = "false";
        await using var server = await TestServer.StartAsync(settings);
        var workflow = await server.CreateWorkflowAsync(Definition("\"s64\""));
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = Companies(3) });

        // Three calls one at a time take 4.5 s, more than the 2 s unit timeout: the run completes, each row asked once.
        var live = await server.WaitForRunAsync(runId, TimeSpan.FromSeconds(60));
        Assert.Equal("completed", live.GetProperty("overall_status").GetString());
        Assert.Equal(3, fake.TotalCalls);
    }

    [Fact]
    public async Task Two_runs_share_a_providers_slots_fairly_so_a_small_run_is_not_stuck_behind_a_big_one()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions { LatencyMin = TimeSpan.FromMilliseconds(150), LatencyMax = TimeSpan.FromMilliseconds(150) }, Ct);
        var settings = Settings(fake.ProviderConfiguration("s64", "sixtyfour"));
        settings["Providers:s64:MaxConcurrency"] = "2";
        settings["Providers:s64:UseAsyncJobs"] = "false";
        await using var server = await TestServer.StartAsync(settings);
        var workflow = await server.CreateWorkflowAsync(Definition("\"s64\""));
        var big = await server.StartRunAsync(workflow, new { webhook_payload = Companies(80) });
        await WaitForCallsAsync(fake, 4, "the big run made no calls");

        // The big run's 80 rows all wait for the provider's 2 slots; the small run's rows take every other slot.
        var small = await server.StartRunAsync(workflow, new { webhook_payload = Companies(10, from: 1000) });
        Assert.Equal("completed", (await server.WaitForRunAsync(small, TimeSpan.FromSeconds(60))).GetProperty("overall_status").GetString());
        var callsWhenSmallEnded = fake.TotalCalls;
        Assert.True(callsWhenSmallEnded < 50, $"the small run ended only after {callsWhenSmallEnded} calls of 90: it waited behind the big run");
        Assert.Equal("completed", (await server.WaitForRunAsync(big, TimeSpan.FromSeconds(60))).GetProperty("overall_status").GetString());
        Assert.Equal(90, fake.TotalCalls);
        Assert.True(fake.MaxInFlight <= 2, $"{fake.MaxInFlight} calls were in flight at once; MaxConcurrency is 2");
    }

    [Fact]
    public async Task An_http_provider_on_its_configured_loopback_base_url_connects_through_the_guard_without_outbound_allow()
    {
        // Its BaseUrl (host and port) is the administrator's and allowed for its client alone (docs/api.md §6);
        // a row's URL to a private address stays refused (Providers.Tests ProviderGuardTests).
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions(), Ct);
        const string definition = """
            {"blocks": [
              {"sequence_number": 1, "block_name": "webhook", "block_id": "companies", "specs": {"dataframe_type": "COMPANY"}},
              {"sequence_number": 2, "block_name": "enrich_company", "block_id": "enrich",
               "specs": {"website_field": "website", "provider": "vendor", "return_fields": {"employees": {"description": "Employees", "type": "int"}}}}],
             "edges": [{"from_block_id": "companies", "to_block_id": "enrich"}]}
            """;
        var payload = new { webhook_payload = new object[] { new { website = "https://acme.example" } } };

        await using var server = await TestServer.StartAsync(Settings(fake.ProviderConfiguration("vendor", "http")));
        var runId = await server.StartRunAsync(await server.CreateWorkflowAsync(definition), payload, "&result_formats=ndjson");
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());
        Assert.Equal("ok", Assert.Single(await RowsAsync(server, runId)).GetProperty("enrich_status").GetString());
        Assert.Equal(1, fake.TotalCalls);
    }

    [Fact]
    public async Task An_openai_compatible_provider_answers_through_a_json_schema_built_from_the_return_fields()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions(), Ct);
        await using var server = await TestServer.StartAsync(Settings(fake.ProviderConfiguration("llm", "openai_compatible")));
        var workflow = await server.CreateWorkflowAsync("""
            {"blocks": [
              {"sequence_number": 1, "block_name": "webhook", "block_id": "leads", "specs": {"dataframe_type": "LEAD"}},
              {"sequence_number": 2, "block_name": "enrich_lead", "block_id": "enrich",
               "specs": {"name_field": "name", "company_field": "company", "provider": "llm",
                         "return_fields": {"title": "Job title", "seniority_years": {"description": "Years in the role", "type": "int"}, "skills": {"description": "Skills", "type": "list[str]"}}}}],
             "edges": [{"from_block_id": "leads", "to_block_id": "enrich"}]}
            """);
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = new object[] { new { name = "Ada Lovelace", company = "Analytical Engines" } } }, "&result_formats=ndjson");
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());

        var row = Assert.Single(await RowsAsync(server, runId));
        Assert.Equal("ok", row.GetProperty("enrich_status").GetString());
        Assert.Equal(JsonValueKind.String, row.GetProperty("title").ValueKind);
        Assert.Equal(JsonValueKind.Number, row.GetProperty("seniority_years").ValueKind);
        Assert.Equal(JsonValueKind.Array, row.GetProperty("skills").ValueKind);

        // The request carried a strict JSON schema with one property per return field, each with its type.
        var request = fake.LastRequest("/v1/chat/completions")!;
        var schema = request.Body!["response_format"]!["json_schema"]!["schema"]!;
        Assert.Equal(["seniority_years", "skills", "title"], schema["properties"]!.AsObject().Select(p => p.Key).Order());
        Assert.Contains("integer", schema["properties"]!["seniority_years"]!["type"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Live_status_counts_enriched_rows_as_they_are_done_not_a_chunk_at_a_time()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions { LatencyMin = TimeSpan.FromMilliseconds(60), LatencyMax = TimeSpan.FromMilliseconds(60) }, Ct);
        var settings = Settings(fake.ProviderConfiguration("s64", "sixtyfour"));
        settings["Engine:ChunkSize"] = "100";
        settings["Providers:s64:MaxConcurrency"] = "1";
        settings["Providers:s64:UseAsyncJobs"] = "false";
        await using var server = await TestServer.StartAsync(settings);
        var workflow = await server.CreateWorkflowAsync(Definition("\"s64\""));
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = Companies(200) });

        // One call at a time, 60 ms each: the first chunk of 100 rows takes 6 s; live status shows the rows within it.
        var seen = new SortedSet<long>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        JsonElement live;
        do
        {
            live = await server.Client.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}/live_status", Ct);
            seen.Add(live.GetProperty("blocks")[1].GetProperty("processed_count").GetInt64());
            await Task.Delay(100, Ct);
        }
        while (live.GetProperty("overall_status").GetString() is "queued" or "running" && DateTime.UtcNow < deadline);

        Assert.Equal("completed", live.GetProperty("overall_status").GetString());
        Assert.Equal(200, live.GetProperty("blocks")[1].GetProperty("processed_count").GetInt64());
        Assert.True(seen.Count(n => n % 100 != 0) >= 5, $"processed_count moved only by whole chunks: {string.Join(", ", seen)}");
    }
}

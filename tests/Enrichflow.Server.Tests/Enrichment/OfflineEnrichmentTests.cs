using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Enrichment;

/// <summary>
/// Enrichment with no account anywhere: a server with no provider configured has the <c>sample</c> lookup provider
/// over the shipped samples/companies.csv, and the definition checks name the providers it has.
/// </summary>
public sealed class OfflineEnrichmentTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Enrich = """
        {"blocks": [
          {"sequence_number": 1, "block_name": "webhook", "block_id": "companies", "specs": {"dataframe_type": "COMPANY"}},
          {"sequence_number": 2, "block_name": "enrich_company", "block_id": "enrich",
           "specs": {"website_field": "website", "return_fields": {"industry": "The company's industry", "employee_count": {"description": "Employees", "type": "int"}}}}],
         "edges": [{"from_block_id": "companies", "to_block_id": "enrich"}]}
        """;

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ValidateAsync(TestServer server, string definition)
    {
        var response = await server.Client.PostAsJsonAsync("/workflows/validate", new { workflow_definition = JsonDocument.Parse(definition).RootElement }, Ct);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(Ct));
    }

    private static string Messages(JsonElement body) =>
        string.Join("\n", body.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("msg").GetString()));

    private static string WithSpecs(string specs) => $$$"""
        {"blocks": [
          {"sequence_number": 1, "block_name": "webhook", "block_id": "companies", "specs": {"dataframe_type": "COMPANY"}},
          {"sequence_number": 2, "block_name": "enrich_company", "block_id": "enrich", "specs": {{{specs}}}}],
         "edges": [{"from_block_id": "companies", "to_block_id": "enrich"}]}
        """;

    [Fact]
    public async Task The_sample_provider_enriches_known_companies_offline_and_says_what_happened_to_each_row()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Engine:ChunkSize"] = "2" });
        var workflow = await server.CreateWorkflowAsync(Enrich);
        var runId = await server.StartRunAsync(workflow, new
        {
            webhook_payload = new object[]
            {
                new { name = "MS", website = "https://www.microsoft.com/en-us" },
                new { name = "Nobody", website = "no-such-company-anywhere.example" },
                new { label = "Blank", website = "  " },
                new { name = "Apple", website = "APPLE.COM" },
            },
        }, "&result_formats=ndjson");
        var live = await server.WaitForRunAsync(runId);
        Assert.Equal("completed", live.GetProperty("overall_status").GetString());

        var rows = (await server.DownloadFinalAsync(runId, "ndjson")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["MS", "Nobody", "Apple"], rows.Select(r => r.GetProperty("name").GetString()));
        Assert.Equal("Software", rows[0].GetProperty("industry").GetString());
        Assert.Equal(JsonValueKind.Number, rows[0].GetProperty("employee_count").ValueKind);
        Assert.Equal(228000, rows[0].GetProperty("employee_count").GetInt64());
        Assert.Equal("ok", rows[0].GetProperty("enrich_status").GetString());
        Assert.Equal("sample", rows[0].GetProperty("enrich_provider").GetString());
        Assert.Equal("not_found", rows[1].GetProperty("enrich_status").GetString());
        Assert.Equal(JsonValueKind.Null, rows[1].GetProperty("industry").ValueKind);
        Assert.Equal("ok", rows[2].GetProperty("enrich_status").GetString());

        // A row with nothing to look up fails, keeps its columns and lists the columns looked for.
        var links = await server.DownloadLinksAsync(runId, "ndjson", includeRejects: true);
        var reject = Assert.Single(links[0].GetProperty("results").EnumerateArray());
        Assert.Equal("enrich", reject.GetProperty("block_id").GetString());
        Assert.Equal("Blank", reject.GetProperty("row").GetProperty("label").GetString());
        Assert.Equal("enrichment: nothing to look up: none of the columns 'company_name', 'company', 'name', 'website', 'domain', 'linkedin' has a value",
            reject.GetProperty("reason").GetString());

        // Live status counts the calls per provider; a local table costs nothing.
        var block = live.GetProperty("blocks")[1].GetProperty("metrics");
        Assert.Equal(3, block.GetProperty("provider_calls").GetInt64());
        Assert.Equal(0, block.GetProperty("credits_used").GetDouble());
        var step = Assert.Single(block.GetProperty("providers").EnumerateArray());
        Assert.Equal("sample", step.GetProperty("provider").GetString());
        Assert.Equal(2, step.GetProperty("hits").GetInt64());
        Assert.Equal(1, step.GetProperty("misses").GetInt64());
        Assert.Equal(1, block.GetProperty("rows_failed").GetInt64());
    }

    [Fact]
    public async Task An_unknown_provider_is_a_400_naming_the_providers_the_server_has()
    {
        await using var server = await TestServer.StartAsync();
        var (status, body) = await ValidateAsync(server, WithSpecs("""{"website_field": "website", "return_fields": {"industry": "x"}, "provider": ["sample", "clearbit"]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var messages = Messages(body);
        Assert.Contains("unknown provider 'clearbit'", messages, StringComparison.Ordinal);
        Assert.Contains("sample", messages[messages.IndexOf("configured", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_return_field_of_an_unknown_type_is_a_400_listing_the_types()
    {
        await using var server = await TestServer.StartAsync();
        var (status, body) = await ValidateAsync(server, WithSpecs("""{"website_field": "website", "return_fields": {"size": {"description": "Employees", "type": "integer[]"}}}"""));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = Assert.Single(body.GetProperty("errors").EnumerateArray());
        Assert.Contains("'size'", error.GetProperty("msg").GetString(), StringComparison.Ordinal);
        Assert.Contains("list[int]", error.GetProperty("msg").GetString(), StringComparison.Ordinal);
        Assert.Equal("return_fields.size.type", string.Join('.', error.GetProperty("loc").EnumerateArray().Select(l => l.ToString()).TakeLast(3)));
    }

    [Fact]
    public async Task An_enrichment_block_needs_return_fields_but_no_input_column_spec()
    {
        await using var server = await TestServer.StartAsync();
        var (status, body) = await ValidateAsync(server, WithSpecs("{}"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = Assert.Single(body.GetProperty("errors").EnumerateArray());
        Assert.Contains("return_fields is required", error.GetProperty("msg").GetString(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await ValidateAsync(server, WithSpecs("""{"return_fields": {"industry": "x"}}"""))).Status);
    }

    [Fact]
    public async Task Usage_lists_calls_by_provider_and_day_and_checks_its_dates()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Enrich);
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = new object[] { new { website = "microsoft.com" }, new { website = "apple.com" } } });
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());

        var usage = await server.Client.GetFromJsonAsync<JsonElement>("/usage", Ct);
        var provider = Assert.Single(usage.GetProperty("providers").EnumerateArray());
        Assert.Equal("sample", provider.GetProperty("provider").GetString());
        Assert.Equal(2, provider.GetProperty("calls").GetInt64());
        var day = Assert.Single(usage.GetProperty("days").EnumerateArray());
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), day.GetProperty("date").GetString());

        var run = await server.Client.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}", Ct);
        Assert.Equal(2, run.GetProperty("metrics").GetProperty("provider_calls").GetInt64());

        var bad = await server.Client.GetAsync("/usage?from=yesterday", Ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        Assert.Contains("from", await bad.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        var reversed = await server.Client.GetAsync("/usage?from=2026-02-01&to=2026-01-01", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, reversed.StatusCode);

        // Another organization sees none of it.
        using var other = server.NewClient(await server.CreateKeyAsync("other-org"));
        var theirs = await other.GetFromJsonAsync<JsonElement>("/usage", Ct);
        Assert.Empty(theirs.GetProperty("providers").EnumerateArray());
    }

    [Fact]
    public async Task An_estimate_is_checked_like_a_run_and_queues_nothing()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Enrich);

        var unknown = await server.Client.PostAsJsonAsync("/workflows/estimate?workflow_id=no-such-workflow", new { webhook_payload = new object[] { new { website = "microsoft.com" } } }, Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var missing = await server.Client.PostAsJsonAsync($"/workflows/estimate?workflow_id={workflow}", new { }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("webhook_payload", await missing.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        var notObject = await server.Client.PostAsJsonAsync($"/workflows/estimate?workflow_id={workflow}", new { webhook_payload = new object[] { new { website = "a.com" }, 7 } }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, notObject.StatusCode);
        Assert.Contains("webhook_payload[1]", await notObject.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        var response = await server.Client.PostAsJsonAsync($"/workflows/estimate?workflow_id={workflow}",
            new { webhook_payload = new object[] { new { website = "microsoft.com" }, new { website = "apple.com" }, new { website = "nowhere.example" } } }, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var estimate = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(3, estimate.GetProperty("rows_in").GetInt64());
        var enrich = estimate.GetProperty("blocks")[1];
        Assert.Equal("enrich", enrich.GetProperty("block_id").GetString());
        Assert.Equal(3, enrich.GetProperty("provider_calls_estimate").GetInt64());
        Assert.Equal(0, estimate.GetProperty("credits_estimate").GetDouble());
        // The local table was asked: 2 of 3 found.
        Assert.Equal(0.6667, enrich.GetProperty("providers")[0].GetProperty("hit_rate").GetDouble(), 3);

        var runs = await server.Client.GetFromJsonAsync<JsonElement>("/workflows/runs", Ct);
        Assert.Empty(runs.EnumerateArray());
        var usage = await server.Client.GetFromJsonAsync<JsonElement>("/usage", Ct);
        Assert.Empty(usage.GetProperty("providers").EnumerateArray());
    }

    [Fact]
    public async Task The_sample_people_table_finds_emails_and_phones_offline()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync("""
            {"blocks": [
              {"sequence_number": 1, "block_name": "webhook", "block_id": "leads", "specs": {"dataframe_type": "LEAD"}},
              {"sequence_number": 2, "block_name": "find_email", "block_id": "emails", "specs": {"name_field": "full_name"}},
              {"sequence_number": 3, "block_name": "find_phone", "block_id": "phones", "specs": {"name_field": "full_name"}}],
             "edges": [{"from_block_id": "leads", "to_block_id": "emails"}, {"from_block_id": "emails", "to_block_id": "phones"}]}
            """);
        var runId = await server.StartRunAsync(workflow, new
        {
            webhook_payload = new object[] { new { full_name = "Ada Whitfield", company = "Example Corp" }, new { full_name = "Nobody Known", company = "Nowhere" } },
        }, "&result_formats=ndjson");
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());

        var rows = (await server.DownloadFinalAsync(runId, "ndjson")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal("ada.whitfield@example.com", rows[0].GetProperty("email").GetString());
        Assert.StartsWith("+1", rows[0].GetProperty("phone").GetString(), StringComparison.Ordinal);
        Assert.Equal("sample_people", rows[0].GetProperty("enrich_provider").GetString());
        Assert.Equal("not_found", rows[1].GetProperty("enrich_status").GetString());
    }

    [Fact]
    public async Task Providers_lists_the_names_workflows_may_use_and_what_each_can_do_without_secrets()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Providers:s64:Kind"] = "sixtyfour",
            ["Providers:s64:ApiKey"] = "very-secret-key",
            ["Providers:s64:BaseUrl"] = "http://127.0.0.1:9/",
        });
        var body = await server.Client.GetStringAsync("/providers", Ct);
        Assert.DoesNotContain("very-secret-key", body, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1:9", body, StringComparison.Ordinal);
        var provider = Assert.Single(JsonDocument.Parse(body).RootElement.EnumerateArray());
        Assert.Equal("s64", provider.GetProperty("name").GetString());
        Assert.Equal(["enrich_company", "enrich_person", "find_email", "find_phone", "reverse_email", "reverse_phone", "qa_agent", "research_agent"], provider.GetProperty("operations").EnumerateArray().Select(o => o.GetString()));
        Assert.Equal(500, provider.GetProperty("requests_per_minute").GetInt32());
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.NewClient(null).GetAsync("/providers", Ct)).StatusCode);
    }
}

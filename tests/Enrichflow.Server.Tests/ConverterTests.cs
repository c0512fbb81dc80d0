using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests;

/// <summary>The LEAD/COMPANY converters through the API.</summary>
public sealed class ConverterTests
{
    private const string RoundTrip = """
        {"blocks": [
          {"sequence_number": 1, "block_name": "webhook", "block_id": "companies", "specs": {"dataframe_type": "COMPANY"}},
          {"sequence_number": 2, "block_name": "company_to_leads", "block_id": "leads"},
          {"sequence_number": 3, "block_name": "leads_to_company", "block_id": "back"}],
         "edges": [{"from_block_id": "companies", "to_block_id": "leads"}, {"from_block_id": "leads", "to_block_id": "back"}]}
        """;

    [Fact]
    public async Task Companies_become_leads_and_leads_become_one_company_each_again_across_chunks()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Engine:ChunkSize"] = "2" });
        var workflow = await server.CreateWorkflowAsync(RoundTrip);
        var runId = await server.StartRunAsync(workflow, new
        {
            webhook_payload = new object[]
            {
                new { name = "Acme", domain = "acme.com", people = new object[] { new { name = "Ada", email = "ada@acme.com" }, new { name = "Bob" } } },
                new { name = "Globex", domain = "globex.com", people = new object[] { "Grace" } },
                new { name = "Empty Inc", domain = "empty.com", people = Array.Empty<object>() },
                new { name = "acme ", domain = "acme.org", people = new object[] { new { name = "Cid" } } },
                new { name = "Broken", domain = "broken.com", people = "not a list" },
            },
        }, "&result_formats=ndjson");
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());

        var links = await server.DownloadLinksAsync(runId, "ndjson", includeRejects: true);
        var leads = links.EnumerateArray().Single(l => l.GetProperty("filename").GetString() == "2_leads.ndjson");
        Assert.Equal(4, leads.GetProperty("row_count").GetInt64());
        var firstLead = leads.GetProperty("results")[0];
        Assert.Equal("Ada", firstLead.GetProperty("name").GetString());
        Assert.Equal("Acme", firstLead.GetProperty("company_name").GetString());
        Assert.Equal("acme.com", firstLead.GetProperty("company_domain").GetString());

        var companies = (await server.DownloadFinalAsync(runId, "ndjson")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).ToList();
        // "acme " is the same company as "Acme" (trimmed, case-insensitive): the first lead's company wins.
        Assert.Equal(["Acme", "Globex"], companies.Select(c => c.GetProperty("name").GetString()));
        Assert.Equal("acme.com", companies[0].GetProperty("domain").GetString());

        var rejects = links[0].GetProperty("results").EnumerateArray().ToList();
        var broken = Assert.Single(rejects);
        Assert.Equal("leads", broken.GetProperty("block_id").GetString());
        Assert.Contains("people", broken.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Leads_to_company_keeps_the_identifying_columns_enrich_company_reads()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync("""
            {"blocks": [
              {"sequence_number": 1, "block_name": "webhook", "block_id": "leads", "specs": {"dataframe_type": "LEAD"}},
              {"sequence_number": 2, "block_name": "leads_to_company", "block_id": "companies"}],
             "edges": [{"from_block_id": "leads", "to_block_id": "companies"}]}
            """);
        var runId = await server.StartRunAsync(workflow, new
        {
            webhook_payload = new object[]
            {
                new { name = "Ada", company = "Initech", domain = "initech.example", website = "", linkedin = "https://linkedin.com/in/ada", company_website = "https://initech.example" },
                new { name = "Bob", company = "Globex", domain = "", company_domain = "globex.example", company_linkedin = "https://linkedin.com/company/globex" },
            },
        }, "&result_formats=ndjson");
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());

        var companies = (await server.DownloadFinalAsync(runId, "ndjson")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.GetRawText()).ToList();
        // The company column as name and company_name, company_ columns without the prefix, else the lead's own
        // domain and website; the lead's linkedin is the person's and stays behind.
        Assert.Equal(
            [
                """{"name":"Initech","company_name":"Initech","website":"https://initech.example","domain":"initech.example"}""",
                """{"name":"Globex","company_name":"Globex","domain":"globex.example","linkedin":"https://linkedin.com/company/globex"}""",
            ],
            companies);
    }
}

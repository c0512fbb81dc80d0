using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Enrichment;

/// <summary>The README's recipe "Enriching each lead's company" (leads_to_company → enrich_company → merge join), run as written.</summary>
public sealed class CompanyOfEachLeadRecipeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string> RecipeAsync()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(ReadmeTests.RepositoryRoot(), "README.md"), Ct);
        var start = readme.IndexOf("<!-- readme-company-recipe:start -->", StringComparison.Ordinal);
        var end = readme.IndexOf("<!-- readme-company-recipe:end -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "the README lost its readme-company-recipe markers");
        var block = readme[start..end];
        return block[(block.IndexOf("```json\n", StringComparison.Ordinal) + 8)..block.LastIndexOf("```", StringComparison.Ordinal)];
    }

    [Fact]
    public async Task The_readme_recipe_enriches_each_company_once_and_joins_it_back_to_every_lead()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Engine:ChunkSize"] = "2" });
        var workflow = await server.CreateWorkflowAsync(await RecipeAsync());
        var runId = await server.StartRunAsync(workflow, new
        {
            webhook_payload = new object[]
            {
                new { name = "Ada", email = "ada@microsoft.com", company = "Microsoft", company_domain = "microsoft.com" },
                new { name = "Bob", email = "bob@apple.com", company = "Apple", company_domain = "apple.com" },
                new { name = "Cy", email = "cy@microsoft.com", company = "microsoft ", company_domain = "microsoft.com" },
                new { name = "Dee", email = "dee@tiny.example", company = "Tiny Startup", company_domain = "tiny.example" },
            },
        }, "&result_formats=ndjson");
        var live = await server.WaitForRunAsync(runId);
        Assert.Equal("completed", live.GetProperty("overall_status").GetString());

        var rows = (await server.DownloadFinalAsync(runId, "ndjson")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["Ada", "Bob", "Cy", "Dee"], rows.Select(r => r.GetProperty("name").GetString()));
        Assert.Equal(["ada@microsoft.com", "bob@apple.com", "cy@microsoft.com", "dee@tiny.example"], rows.Select(r => r.GetProperty("email").GetString()));
        Assert.Equal(["Software", "Consumer Electronics", "Software", null], rows.Select(r => r.GetProperty("industry").GetString()));
        Assert.Equal(228000, rows[0].GetProperty("employee_count").GetInt64());
        Assert.Equal(["ok", "ok", "ok", "not_found"], rows.Select(r => r.GetProperty("enrich_status").GetString()));

        // Three distinct companies ("Microsoft" and "microsoft " are one), each looked up once.
        var enrich = live.GetProperty("blocks").EnumerateArray().Single(b => b.GetProperty("block_id").GetString() == "enrich").GetProperty("metrics");
        Assert.Equal(3, enrich.GetProperty("provider_calls").GetInt64());
    }
}

using Enrichflow.Browser.Tests.Infrastructure;
using OpenQA.Selenium;

namespace Enrichflow.Browser.Tests;

/// <summary>Runs from pasted rows (a webhook source) and the run list's filters.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardRunsTests(BrowserFixture fixture)
{
    private const string WebhookFilter = """
        {"blocks": [{"sequence_number": 1, "block_name": "webhook", "block_id": "input", "specs": {}},
                    {"sequence_number": 2, "block_name": "filter", "block_id": "keep_de", "specs": {"expression": "[country] = 'DE'"}}],
         "edges": [{"from_block_id": "input", "to_block_id": "keep_de"}]}
        """;

    [Fact]
    public async Task Rows_pasted_as_csv_run_as_the_webhook_payload_and_the_run_is_listed_by_its_filters()
    {
        var b = fixture.Browser;
        var workflow = await fixture.Server.CreateWorkflowAsync("Pasted rows", WebhookFilter, TestContext.Current.CancellationToken);
        fixture.SignIn();
        fixture.GoTo("#/runs/new?workflow=" + workflow);
        b.Id("start-rows").SendKeys("name,country\nAda,DE\nGrace,US\nKarl,DE\n");
        b.Click("estimate-run");
        b.WaitText("#estimate", "3 rows in");
        b.Click("start-run");

        b.WaitText("#run-status", "completed");
        b.WaitText("#metric-rows-in", "3");
        b.WaitText("#metric-rows-out", "2");
        b.Click("tab-results");
        b.Css("#result-files > li[data-file='2_keep_de.csv'] button").Click();
        b.WaitText("#result-files > li[data-file='2_keep_de.csv'] table", "Karl");
        Assert.DoesNotContain("Grace", b.Css("#result-files > li[data-file='2_keep_de.csv'] table").Text, StringComparison.Ordinal);
        var runUrl = b.Driver.Url;

        fixture.GoTo("#/runs");
        b.Select("runs-workflow", workflow);
        b.Select("runs-status", "failed");
        b.WaitText("main", "No runs match.");
        b.Select("runs-status", "completed");
        b.WaitUntil(d => d.FindElements(By.CssSelector("#runs-table tbody tr")).Count == 1, "one completed run of the workflow");
        b.Css("#runs-table tbody tr a").Click();
        b.WaitUntil(d => d.Url == runUrl, "the run's page from the list");
        b.WaitText("#run-status", "completed");
    }
}


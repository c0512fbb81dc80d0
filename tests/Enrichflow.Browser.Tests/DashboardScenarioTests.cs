using System.Text;
using Enrichflow.Browser.Tests.Infrastructure;
using OpenQA.Selenium;

namespace Enrichflow.Browser.Tests;

/// <summary>
/// The dashboard's whole path in a real browser (issue 14, "Must show"): sign in, build a three-block workflow in the
/// builder, fix the validation error it shows, upload a 1,000-row CSV, estimate, run to 100%, browse the rejects and
/// download the final file. Writes the README's screenshots to docs/images/.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardScenarioTests(BrowserFixture fixture)
{
    /// <summary>1,000 leads; every tenth email is not an address, which validate_email marks invalid and the filter drops.</summary>
    public static string LeadsCsv()
    {
        var csv = new StringBuilder("email,name\n");
        for (var i = 0; i < 1000; i++)
        {
            csv.Append(i % 10 == 0 ? $"not-an-email-{i}" : $"person{i}@example.com").Append(",Person ").Append(i).Append('\n');
        }

        return csv.ToString();
    }

    public static string WriteTempFile(string name, string content)
    {
        var dir = Path.Combine(Path.GetTempPath(), "enrichflow-browser-inputs", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void A_workflow_built_in_the_builder_runs_over_an_uploaded_csv_with_rejects_and_a_final_file()
    {
        var b = fixture.Browser;
        fixture.SignIn();

        // Build read_csv -> verify_email -> filter; each new block is connected to the selected one.
        b.Click("new-workflow");
        b.Type("wf-name", "Leads with valid emails");
        b.Select("add-block-type", "read_csv");
        b.Click("add-block");
        b.Css("g.node[data-block='source']");
        b.Select("add-block-type", "verify_email");
        b.Click("add-block");
        b.Css("g.node[data-block='verify_email']");
        b.Select("spec-verify_email-check_mx", "false");
        var condition = b.Css("#inspector-verify_email input[id$='-condition']");
        condition.SendKeys("not is_empty([email])");
        condition.SendKeys(Keys.Tab); // the condition is taken on change
        b.WaitText("g.edge[data-edge='source->verify_email'] .edge-label", "not is_empty");
        b.Select("add-block-type", "filter");
        b.Click("add-block");
        b.Css("g.node[data-block='filter']");
        Assert.Equal(2, b.All("g.edge").Count);

        // A filter with neither filters nor expression: the server's error is shown on the block.
        b.Click("validate-workflow");
        b.WaitText("#problems", "Filter block 'filter' needs 'filters' (a non-empty list) or 'expression'.");
        b.Css("g.node.has-error[data-block='filter']");
        b.WaitText("#inspector-filter .block-errors", "needs 'filters'");

        b.Type("spec-filter-expression", "[email_status] != 'invalid'");
        b.Click("validate-workflow");
        b.WaitText("#editor-status", "The definition is valid.");
        Assert.False(b.Exists("#problems"));
        Assert.False(b.Exists("g.node.has-error"));
        b.FullPageScreenshot(Path.Combine(Repository.Root, "docs", "images", "dashboard-builder.png"));

        b.Click("save-workflow");
        b.WaitText("#editor-status", "Saved as");
        b.WaitUntil(d => d.Url.Contains("#/workflows/", StringComparison.Ordinal) && !d.Url.EndsWith("/new", StringComparison.Ordinal), "the saved workflow's address");

        // Upload the CSV, estimate (credits per block), start.
        b.Click("run-workflow");
        b.Id("start-file").SendKeys(WriteTempFile("leads.csv", LeadsCsv()));
        b.Click("estimate-run");
        b.WaitText("#estimate", "1,000 rows in");
        b.WaitText("#estimate", "credits");
        Assert.Equal(3, b.All("#estimate tbody tr").Count);
        b.WaitText("#upload-done", "leads.csv");
        b.Click("start-run");

        // Live progress until the run completed at 100%.
        b.WaitText("#run-status", "completed");
        Assert.Equal("100", b.Id("run-progress").GetDomAttribute("aria-valuenow"));
        b.WaitText("#metric-rows-in", "1,000");
        b.WaitText("#metric-rows-out", "900");
        b.WaitText("#metric-rows-rejected", "100");
        Assert.Equal(3, b.All("#block-table tr[data-block]").Count);
        Assert.All(b.All("#block-table tr[data-block] .pill"), p => Assert.Equal("completed", p.Text));
        b.FullPageScreenshot(Path.Combine(Repository.Root, "docs", "images", "dashboard-run.png"));

        // The rejects browser: filter by block and reason, open a row.
        b.Click("tab-rejects");
        b.WaitText("#rejects", "100 rejected rows");
        b.Select("rejects-block", "filter");
        b.WaitText("#rejects-count", "100 shown");
        var reason = b.All("#rejects-reason option")[1].GetDomProperty("value")!;
        b.Select("rejects-reason", reason);
        b.WaitText("#rejects-count", "100 shown");
        b.Css("#rejects-table tr.reject button").Click();
        b.WaitText("#rejects-table tr.reject-row", "not-an-email-0");

        // Results: preview the final file, then download it through the browser and read it.
        b.Click("tab-results");
        b.WaitUntil(d => d.FindElements(By.CssSelector("#result-files > li")).Count == 3, "three result files");
        var final = b.All("#result-files > li").Last();
        Assert.Equal("3_filter.csv", final.GetDomAttribute("data-file"));
        final.FindElement(By.CssSelector("button")).Click();
        b.WaitText("#result-files > li:last-child table", "person1@example.com");
        final.FindElement(By.CssSelector("a.download")).Click();
        var path = Path.Combine(b.Downloads, "3_filter.csv");
        b.WaitUntil(_ => File.Exists(path) && !Directory.EnumerateFiles(b.Downloads, "*.crdownload").Any(), "the downloaded 3_filter.csv");
        var lines = File.ReadAllLines(path);
        Assert.StartsWith("email,name,email_status", lines[0], StringComparison.Ordinal);
        Assert.Equal(900, lines.Length - 1);
        Assert.DoesNotContain(lines, l => l.StartsWith("not-an-email", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("person999@example.com,Person 999,", StringComparison.Ordinal));
    }
}

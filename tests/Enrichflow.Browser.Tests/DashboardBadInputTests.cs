using Enrichflow.Browser.Tests.Infrastructure;
using OpenQA.Selenium;

namespace Enrichflow.Browser.Tests;

/// <summary>What the dashboard shows for bad input (issue 14): the server's own message, at the place it names.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardBadInputTests(BrowserFixture fixture)
{
    private const string ThreeBlocks = """
        {"blocks": [{"sequence_number": 1, "block_name": "read_csv", "block_id": "source", "specs": {}},
                    {"sequence_number": 2, "block_name": "verify_email", "block_id": "verify_email", "specs": {"check_mx": false}},
                    {"sequence_number": 3, "block_name": "filter", "block_id": "filter", "specs": {"expression": "EXPRESSION"}}],
         "edges": [{"from_block_id": "source", "to_block_id": "verify_email"}, {"from_block_id": "verify_email", "to_block_id": "filter"}]}
        """;

    [Fact]
    public void A_wrong_api_key_shows_the_servers_message_and_nothing_else()
    {
        var b = fixture.Browser;
        fixture.OpenSignedOut();
        b.Type("api-key", "ef_not-a-key-of-this-server");
        b.Click("login-submit");

        b.WaitText("#login-error", "That API key was not accepted (Invalid API key).");
        Assert.False(b.Exists("header.top"));
        Assert.False(b.Exists("nav"));
        Assert.False(b.Exists("#wf-title"));
        Assert.Null(b.Driver.ExecuteScript("return sessionStorage.getItem('enrichflow.apiKey');"));
    }

    [Fact]
    public void A_definition_with_errors_shows_each_at_its_block_and_field()
    {
        var b = fixture.Browser;
        fixture.SignIn();
        fixture.GoTo("#/workflows/new");
        b.Css("details summary").Click();
        var definition = ThreeBlocks.Replace("{\"check_mx\": false}", "{\"check_mx\": \"sometimes\"}", StringComparison.Ordinal)
            .Replace("EXPRESSION", "[email_status] = ", StringComparison.Ordinal)
            .Replace("\"to_block_id\": \"filter\"}", "\"to_block_id\": \"filter\", \"condition\": \"[name] ==\"}", StringComparison.Ordinal);
        b.Driver.ExecuteScript(
            "const t = document.getElementById('definition-json'); t.value = arguments[0]; t.dispatchEvent(new Event('input', {bubbles: true}));", definition);
        b.Click("apply-definition-json");
        b.Css("g.node[data-block='filter']");
        b.Click("validate-workflow");

        b.WaitText("#editor-status", "Not valid: 3 problems in the definition.");
        b.WaitText("#problems", "Block verify_email, check_mx: Invalid specs for block 'verify_email': 'check_mx' must be true or false.");
        b.WaitText("#problems", "Block filter, expression: Expression of filter block 'filter': Expression error at position");
        b.WaitText("#problems", "Edge verify_email → filter: Condition of edge 1 (verify_email -> filter)");
        b.Css("g.node.has-error[data-block='verify_email']");
        b.Css("g.node.has-error[data-block='filter']");
        b.Css("g.edge.has-error[data-edge='verify_email->filter']");
        Assert.False(b.Exists("g.node.has-error[data-block='source']"));

        // Each field's message sits under the field, once its block is selected in the graph.
        b.Css("g.node[data-block='verify_email']").Click();
        b.WaitText("#spec-verify_email-check_mx-error", "'check_mx' must be true or false.");
        Assert.Equal("true", b.Id("spec-verify_email-check_mx").GetDomAttribute("aria-invalid"));
        b.Css("g.node[data-block='filter']").SendKeys(Keys.Enter); // a box is a button: Enter selects it too
        b.WaitText("#spec-filter-expression-error", "Expression error at position");
        b.WaitText("#inspector-filter .edge-row.invalid .field-error", "Condition of edge 1 (verify_email -> filter)");
    }

    [Fact]
    public async Task An_upload_the_server_refuses_shows_its_detail()
    {
        var b = fixture.Browser;
        var workflow = await fixture.Server.CreateWorkflowAsync("Refused upload", ThreeBlocks.Replace("EXPRESSION", "[email_status] = 'valid'", StringComparison.Ordinal), TestContext.Current.CancellationToken);
        fixture.SignIn();
        fixture.GoTo("#/runs/new?workflow=" + workflow);
        b.Id("start-file").SendKeys(DashboardScenarioTests.WriteTempFile("empty.csv", ""));
        b.Click("estimate-run");

        b.WaitText("#start-error", "Error 400: File 'empty.csv' cannot be read: The file is empty: line 1 has no header.");
        Assert.False(b.Exists("#estimate"));
        Assert.False(b.Exists("#upload-done"));
    }

    [Fact]
    public async Task A_failed_run_shows_its_reason_and_its_partial_files()
    {
        var b = fixture.Browser;
        // Columns of an upload are known only during the run: the misspelt one fails the run at the filter.
        var workflow = await fixture.Server.CreateWorkflowAsync("Fails at the filter", ThreeBlocks.Replace("EXPRESSION", "[emial_status] = 'valid'", StringComparison.Ordinal), TestContext.Current.CancellationToken);
        fixture.SignIn();
        fixture.GoTo("#/runs/new?workflow=" + workflow);
        b.Id("start-file").SendKeys(DashboardScenarioTests.WriteTempFile("leads.csv", DashboardScenarioTests.LeadsCsv()));
        b.Click("start-run");

        b.WaitText("#run-status", "failed");
        b.WaitText("#run-reason", "Block 'filter' failed on chunk 0: column 'emial_status' does not exist");
        Assert.True(b.Exists("#resume-run"));
        Assert.False(b.Exists("#cancel-run"));
        b.Css("#block-table tr[data-block='filter'] .field-error");

        b.Click("tab-results");
        b.WaitUntil(d => d.FindElements(By.CssSelector("#result-files > li")).Count == 3, "the partial result files");
        b.WaitText("#result-files > li[data-file='1_source.csv'] .file-message", "Partial results: the run failed");
        b.WaitText("#result-files > li[data-file='3_filter.csv'] .file-message", "Partial results");
    }

    [Fact]
    public async Task A_cancelled_run_shows_its_reason_and_its_partial_files()
    {
        var b = fixture.Browser;
        using var receiver = new SilentReceiver();
        var definition = """
            {"blocks": [{"sequence_number": 1, "block_name": "webhook", "block_id": "input", "specs": {}},
                        {"sequence_number": 2, "block_name": "export", "block_id": "push",
                         "specs": {"destination": {"type": "http", "url": "RECEIVER", "timeout_seconds": 300, "max_attempts": 1}}}],
             "edges": [{"from_block_id": "input", "to_block_id": "push"}]}
            """.Replace("RECEIVER", receiver.Url, StringComparison.Ordinal);
        var workflow = await fixture.Server.CreateWorkflowAsync("Export that never returns", definition, TestContext.Current.CancellationToken);
        fixture.SignIn();
        fixture.GoTo("#/runs/new?workflow=" + workflow);
        b.Id("start-rows").SendKeys("""[{"name": "Ada"}, {"name": "Grace"}]""");
        b.Click("start-run");

        // The export waits on a receiver that never answers, so the run is running until it is cancelled.
        b.WaitText("#block-table tr[data-block='push'] .pill", "running");
        b.Click("cancel-run");
        b.WaitText("#run-status", "cancelled");
        b.Css("#run-reason");
        Assert.False(b.Exists("#cancel-run"));
        b.Click("tab-results");
        b.WaitText("#result-files > li[data-file='1_input.csv'] .file-message", "Partial results");
    }
}

using System.Net;
using System.Text.Json.Nodes;
using Enrichflow.Client.Models;
using Enrichflow.Client.Tests.Infrastructure;

namespace Enrichflow.Client.Tests;

/// <summary>Notebooks (§7), schedules (§10), providers (§8), usage (§11), signing secrets (§6) and interactive sessions (§12) through the client.</summary>
public sealed class DataClientTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private LoopbackServer _server = null!;

    private EnrichflowClient Client => _server.Client;

    public async ValueTask InitializeAsync() => _server = await LoopbackServer.StartAsync();

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_notebook_written_by_a_run_is_listed_read_downloaded_and_deleted()
    {
        var definition = new WorkflowDefinition(
            [
                new WorkflowBlock(1, "webhook", BlockId: "input"),
                new WorkflowBlock(2, "append_to_notebook", new JsonObject { ["notebook_id"] = "__create_new__", ["notebook_name"] = "seen leads", ["key_fields"] = new JsonArray("email") }, "save"),
            ],
            [new WorkflowEdge("input", "save")]);
        var workflow = await Client.CreateWorkflowAsync(new CreateWorkflowRequest("Remember", definition), Ct);
        Assert.Equal("completed", (await Client.RunAndWaitAsync(workflow.Id, RunRequest.WithRows(Definitions.Leads(5)), cancellationToken: Ct)).OverallStatus);

        var notebook = Assert.Single(await Client.ListNotebooksAsync(Ct));
        Assert.Equal("seen leads", notebook.Name);
        Assert.Equal(5, (await Client.GetNotebookAsync(notebook.Id, Ct)).RowCount);
        var link = Assert.Single(await Client.GetNotebookDownloadLinksAsync(notebook.Id, ResultFormats.Ndjson, Ct));
        using var rows = new MemoryStream();
        await Client.DownloadResultAsync(link, rows, Ct);
        Assert.Equal(5, System.Text.Encoding.UTF8.GetString(rows.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        await Client.DeleteNotebookAsync(notebook.Id, Ct);
        var gone = await Assert.ThrowsAsync<EnrichflowApiException>(() => Client.GetNotebookAsync(notebook.Id, Ct));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("Notebook not found", gone.Detail.Text);
    }

    [Fact]
    public async Task A_schedule_is_created_listed_read_updated_and_deleted()
    {
        var workflow = await Client.CreateWorkflowAsync(new CreateWorkflowRequest("Leads", Definitions.EmailCheck()), Ct);
        var created = await Client.CreateScheduleAsync(new CreateScheduleRequest(workflow.Id, "mornings", "0 9 * * MON-FRI")
        {
            Timezone = "Europe/Berlin",
            WebhookPayload = new JsonArray(new JsonObject { ["name"] = "Ada", ["email"] = "ada@example.com" }),
        }, Ct);
        Assert.Equal("Europe/Berlin", created.Timezone);
        Assert.True(created.IsActive);
        Assert.NotNull(created.NextRun);
        Assert.Equal(created.Id, Assert.Single(await Client.ListSchedulesAsync(workflow.Id, Ct)).Id);
        Assert.Equal("mornings", (await Client.GetScheduleAsync(created.Id, Ct)).Name);

        var paused = await Client.UpdateScheduleAsync(created.Id, new UpdateScheduleRequest { IsActive = false }, Ct);
        Assert.False(paused.IsActive);
        Assert.Null(paused.NextRun);
        var badCron = await Assert.ThrowsAsync<EnrichflowApiException>(() => Client.UpdateScheduleAsync(created.Id, new UpdateScheduleRequest { CronExpression = "every day" }, Ct));
        Assert.Equal(HttpStatusCode.BadRequest, badCron.StatusCode);
        Assert.Contains("cron_expression", badCron.Detail.Text, StringComparison.Ordinal);

        await Client.DeleteScheduleAsync(created.Id, Ct);
        Assert.Empty(await Client.ListSchedulesAsync(cancellationToken: Ct));
    }

    [Fact]
    public async Task Providers_usage_and_signing_secrets_are_read()
    {
        var providers = await Client.ListProvidersAsync(Ct);
        Assert.Contains(providers, p => p.Name == "sample" && p.Kind == "lookup" && p.Operations.Contains("enrich_company"));

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var usage = await Client.GetUsageAsync(today.AddDays(-7), today, Ct);
        Assert.Equal(today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), usage.To);
        Assert.Equal(0, usage.CreditsUsed);
        Assert.Null(usage.Limits!.CreditsPerDay.Limit);
        var tooLong = await Assert.ThrowsAsync<EnrichflowApiException>(() => Client.GetUsageAsync(today.AddDays(-400), today, Ct));
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);

        Assert.Null(await Client.GetSigningSecretAsync(Ct));
        var created = await Client.CreateSigningSecretAsync(Ct);
        Assert.StartsWith("sk_whsec_", created.Plaintext, StringComparison.Ordinal);
        Assert.Equal(created.Meta.Id, (await Client.GetSigningSecretAsync(Ct))!.Id);
        var rolled = await Client.RollSigningSecretAsync(1, Ct);
        Assert.NotEqual(created.Plaintext, rolled.Plaintext);
        var badOverlap = await Assert.ThrowsAsync<EnrichflowApiException>(() => Client.RollSigningSecretAsync(100, Ct));
        Assert.Equal(HttpStatusCode.BadRequest, badOverlap.StatusCode);
        await Client.DeleteSigningSecretAsync(Ct);
        Assert.Null(await Client.GetSigningSecretAsync(Ct));
    }

    [Fact]
    public async Task An_interactive_session_adds_blocks_shows_output_and_is_saved()
    {
        var session = await Client.StartInteractiveAsync(new StartInteractiveRequest("webhook") { WebhookPayload = new JsonArray([.. Definitions.Leads(6)]) }, Ct);
        var refused = await Client.AddInteractiveBlockAsync(session.JobId, new AddBlockRequest("no_such_block", "block_1"), Ct);
        Assert.False(refused.Accepted);
        Assert.Contains("no_such_block", refused.Error, StringComparison.Ordinal);
        var added = await Client.AddInteractiveBlockAsync(session.JobId, new AddBlockRequest("validate_email", "block_1", new JsonObject { ["email_field"] = "email", ["check_mx"] = false }), Ct);
        Assert.True(added.Accepted);
        Assert.Equal("block_2", added.BlockId);

        BlockOutput? output = null;
        while (output is null)
        {
            try
            {
                output = await Client.GetInteractiveOutputAsync(session.JobId, "block_2", Ct);
            }
            catch (EnrichflowApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
            {
                Assert.Contains("block_2", e.Detail.Text, StringComparison.Ordinal);
                await Task.Delay(50, Ct);
            }
        }

        Assert.Equal(6, output.RowCount);
        Assert.Equal(2, (await Client.GetInteractiveStateAsync(session.JobId, Ct)).TotalBlocks);
        var saved = await Client.SaveInteractiveAsync(session.JobId, new SaveInteractiveRequest("block_2", "From a session"), Ct);
        Assert.Equal(["webhook", "validate_email"], saved.WorkflowDefinition!.Blocks.Select(b => b.BlockName));
        Assert.Contains((await Client.FinishInteractiveAsync(session.JobId, Ct)).Status, new[] { "running", "completed" });
        Assert.Equal("completed", (await Client.WaitForRunAsync(session.JobId, cancellationToken: Ct)).OverallStatus);
    }
}

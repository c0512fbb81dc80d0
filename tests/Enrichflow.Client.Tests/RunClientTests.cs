using System.Net;
using System.Text.Json.Nodes;
using Enrichflow.Client.Models;
using Enrichflow.Client.Tests.Infrastructure;
using Enrichflow.Fakes;

namespace Enrichflow.Client.Tests;

/// <summary>Runs (docs/api.md §3, §3.1) through the client against a real server: start, estimate, status, wait with progress, cancel, resume, results.</summary>
public sealed class RunClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RunAndWaitAsync_reports_progress_until_the_run_completes()
    {
        await using var server = await LoopbackServer.StartAsync();
        var workflow = await server.Client.CreateWorkflowAsync(new CreateWorkflowRequest("Leads", Definitions.EmailCheck()), Ct);
        var seen = new List<LiveStatus>();
        var final = await server.Client.RunAndWaitAsync(workflow.Id, RunRequest.WithRows(Definitions.Leads(3000)),
            new RunWaitOptions { Progress = new Recorder(seen) }, new RunStartOptions { ResultFormats = [ResultFormats.Ndjson] }, Ct);

        Assert.Equal("completed", final.OverallStatus);
        Assert.Equal(100, final.OverallProgressPercentage);
        Assert.Same(final, seen[^1]);
        Assert.All(seen.Zip(seen.Skip(1)), pair => Assert.True(pair.First.OverallProgressPercentage <= pair.Second.OverallProgressPercentage));
        Assert.Equal([3000, 3000, 2000], final.Blocks!.Select(b => b.Metrics!.RowCount));

        var run = await server.Client.GetRunAsync(final.RunId, Ct);
        Assert.Equal(3000, run.Metrics!.RowsIn);
        Assert.Equal(1000, run.Metrics.RowsRejected);
        Assert.Equal(final.RunId, Assert.Single(await server.Client.ListRunsAsync(new RunListQuery("completed", workflow.Id, 10), Ct)).JobId);
        Assert.Empty(await server.Client.ListRunsAsync(new RunListQuery(RunStatuses.Failed), Ct));

        var csv = await server.Client.GetDownloadLinksAsync(final.RunId, cancellationToken: Ct);
        Assert.Equal(["1_input.csv", "2_check.csv", "3_keep.csv"], csv.Select(f => f.Filename));
        var ndjson = await server.Client.GetDownloadLinksAsync(final.RunId, ResultFormats.Ndjson, includeRejects: true, Ct);
        Assert.Equal("rejects.ndjson", ndjson[0].Filename);
        Assert.Equal("3_keep.ndjson", ndjson[^1].Filename);
        var rejects = Assert.Single(await server.Client.GetDownloadLinksAsync(final.RunId, ResultFormats.Rejects, cancellationToken: Ct));
        Assert.Equal(1000, rejects.RowCount);
    }

    [Fact]
    public async Task Rows_from_an_async_sequence_are_streamed_as_the_webhook_payload()
    {
        await using var server = await LoopbackServer.StartAsync();
        var workflow = await server.Client.CreateWorkflowAsync(new CreateWorkflowRequest("Leads", Definitions.EmailCheck()), Ct);
        var produced = 0;
        async IAsyncEnumerable<JsonObject> Rows()
        {
            foreach (var row in Definitions.Leads(30_000))
            {
                produced++;
                if (produced % 5_000 == 0)
                {
                    await Task.Yield();
                }

                yield return row;
            }
        }

        var started = await server.Client.StartRunAsync(workflow.Id, Rows(), new RunRequest { CacheConfig = new CacheConfig(Enabled: false) }, cancellationToken: Ct);
        Assert.Equal(30_000, produced);
        Assert.False(started.CacheConfig!.Enabled);
        var final = await server.Client.WaitForRunAsync(started.JobId, cancellationToken: Ct);
        Assert.Equal("completed", final.OverallStatus);
        Assert.Equal(30_000, (await server.Client.GetRunAsync(started.JobId, Ct)).Metrics!.RowsIn);
        Assert.Equal(20_000, final.Blocks![^1].Metrics!.RowCount);
    }

    [Fact]
    public async Task A_failed_run_throws_with_its_status_unless_asked_not_to()
    {
        await using var server = await LoopbackServer.StartAsync();
        var definition = new WorkflowDefinition([new WorkflowBlock(1, "read_csv", new JsonObject { ["strict"] = true }, "read")]);
        var workflow = await server.Client.CreateWorkflowAsync(new CreateWorkflowRequest("Strict", definition), Ct);
        using var bad = new MemoryStream("name,email\nAda,\"ada@example.com\nBob,bob@example.com\n"u8.ToArray());
        var upload = await server.Client.UploadAsync(bad, "bad.csv", Ct);

        var failed = await Assert.ThrowsAsync<EnrichflowRunFailedException>(() => server.Client.RunAndWaitAsync(workflow.Id, RunRequest.WithUpload(upload.HandleId), cancellationToken: Ct));
        Assert.Equal("failed", failed.Status.OverallStatus);
        Assert.False(string.IsNullOrEmpty(failed.Status.ErrorMessage));
        Assert.Contains(failed.Status.ErrorMessage!, failed.Message, StringComparison.Ordinal);

        var returned = await server.Client.RunAndWaitAsync(workflow.Id, RunRequest.WithUpload(upload.HandleId), new RunWaitOptions { ThrowOnFailure = false }, cancellationToken: Ct);
        Assert.Equal("failed", returned.OverallStatus);
    }

    [Fact]
    public async Task Cancelling_the_wait_cancels_the_run_on_the_server()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions(), Ct);
        await using var server = await LoopbackServer.StartAsync(fake.ProviderConfiguration("paid", "sixtyfour"));
        var workflow = await server.Client.CreateWorkflowAsync(new CreateWorkflowRequest("Paid", PaidEnrichment()), Ct);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        // A budget of 0 credits pauses the run before its first paid call: it cannot end by itself, so the wait is cancelled.
        var progress = new Recorder([], status =>
        {
            if (status.OverallStatus == RunStatuses.Paused)
            {
                stop.Cancel();
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => server.Client.RunAndWaitAsync(workflow.Id, Companies(0), new RunWaitOptions { Progress = progress }, cancellationToken: stop.Token));

        var run = Assert.Single(await server.Client.ListRunsAsync(cancellationToken: Ct));
        Assert.Equal("cancelled", run.Status);
    }

    [Fact]
    public async Task A_wait_cancelled_without_CancelRunOnCancellation_leaves_the_run_which_resume_completes()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions(), Ct);
        await using var server = await LoopbackServer.StartAsync(fake.ProviderConfiguration("paid", "sixtyfour"));
        var workflow = await server.Client.CreateWorkflowAsync(new CreateWorkflowRequest("Paid", PaidEnrichment()), Ct);
        var estimate = await server.Client.EstimateRunAsync(workflow.Id, Companies(0), Ct);
        Assert.Equal(2, estimate.RowsIn);
        Assert.Equal(["input", "enrich"], estimate.Blocks.Select(b => b.BlockId));
        Assert.True(estimate.CreditsEstimate > 0);

        var started = await server.Client.StartRunAsync(workflow.Id, Companies(0), cancellationToken: Ct);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var progress = new Recorder([], status =>
        {
            if (status.OverallStatus == RunStatuses.Paused)
            {
                stop.Cancel();
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => server.Client.WaitForRunAsync(started.JobId, new RunWaitOptions { Progress = progress, CancelRunOnCancellation = false }, stop.Token));
        var paused = await server.Client.GetLiveStatusAsync(started.JobId, Ct);
        Assert.Equal("paused", paused.OverallStatus);
        Assert.Contains("budget", paused.StatusReason, StringComparison.Ordinal);

        var resumed = await server.Client.ResumeRunAsync(started.JobId, maxCredits: 10, Ct);
        Assert.Contains(resumed.Status, new[] { "queued", "running", "completed" });
        var final = await server.Client.WaitForRunAsync(started.JobId, cancellationToken: Ct);
        Assert.Equal("completed", final.OverallStatus);
        Assert.Equal(2, final.Blocks![1].Metrics!.CreditsUsed);
        // Cancelling a run that ended keeps its status.
        Assert.Equal(new JobStatus(started.JobId, "completed"), await server.Client.CancelRunAsync(started.JobId, Ct));
    }

    [Fact]
    public async Task A_large_result_streams_to_its_destination()
    {
        await using var server = await LoopbackServer.StartAsync();
        var workflow = await server.Client.CreateWorkflowAsync(new CreateWorkflowRequest("Upper", Definitions.CsvUpper()), Ct);
        const int Rows = 100_000;
        var input = Path.Combine(server.DataDirectory, "big.csv");
        await using (var writer = new StreamWriter(input))
        {
            await writer.WriteLineAsync("name,email");
            for (var i = 0; i < Rows; i++)
            {
                await writer.WriteLineAsync($"person number {i},p{i}@example.com");
            }
        }

        var upload = await server.Client.UploadFileAsync(input, Ct);
        Assert.Equal(new FileInfo(input).Length, upload.SizeBytes);
        var final = await server.Client.RunAndWaitAsync(workflow.Id, RunRequest.WithUpload(upload.HandleId), cancellationToken: Ct);
        Assert.Equal("completed", final.OverallStatus);

        // Read as it arrives: every line counted, none held.
        long lines = 0;
        string? last = null;
        await using (var stream = await server.Client.OpenResultAsync(final.RunId, cancellationToken: Ct))
        {
            Assert.False(stream.CanSeek);
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync(Ct) is { } line)
            {
                lines++;
                last = line;
            }
        }

        Assert.Equal(Rows + 1, lines);
        Assert.Equal($"person number {Rows - 1},p{Rows - 1}@example.com,PERSON NUMBER {Rows - 1}", last);

        var path = Path.Combine(server.DataDirectory, "out.csv");
        ResultFile file;
        await using (var destination = File.Create(path))
        {
            file = await server.Client.DownloadResultAsync(final.RunId, destination, cancellationToken: Ct);
        }

        Assert.Equal("2_upper.csv", file.Filename);
        Assert.Equal(file.FileSize, new FileInfo(path).Length);
        Assert.Null(file.Results);
    }

    [Fact]
    public async Task Run_errors_carry_their_detail()
    {
        await using var server = await LoopbackServer.StartAsync();
        var missing = await Assert.ThrowsAsync<EnrichflowApiException>(() => server.Client.GetLiveStatusAsync(Guid.NewGuid().ToString(), Ct));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("Run not found", missing.Detail.Text);

        var workflow = await server.Client.CreateWorkflowAsync(new CreateWorkflowRequest("Leads", Definitions.EmailCheck()), Ct);
        var notObject = await Assert.ThrowsAsync<EnrichflowApiException>(() => server.Client.StartRunAsync(workflow.Id, new RunRequest { WebhookPayload = new JsonArray(new JsonObject(), "text") }, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.BadRequest, notObject.StatusCode);
        Assert.Contains("webhook_payload[1]", notObject.Detail.Text, StringComparison.Ordinal);

        var limit = await Assert.ThrowsAsync<EnrichflowApiException>(() => server.Client.ListRunsAsync(new RunListQuery(Limit: 501), Ct));
        Assert.Equal(HttpStatusCode.BadRequest, limit.StatusCode);
        Assert.Contains("limit", limit.Detail.Text, StringComparison.Ordinal);
    }

    private static WorkflowDefinition PaidEnrichment() => new(
        [
            new WorkflowBlock(1, "webhook", BlockId: "input"),
            new WorkflowBlock(2, "enrich_company", new JsonObject { ["provider"] = "paid", ["return_fields"] = new JsonObject { ["country"] = "Country of the headquarters" } }, "enrich"),
        ],
        [new WorkflowEdge("input", "enrich")]);

    private static RunRequest Companies(double maxCredits) => RunRequest.WithRows(
        [new JsonObject { ["name"] = "Company 1", ["website"] = "https://c1.example" }, new JsonObject { ["name"] = "Company 2", ["website"] = "https://c2.example" }])
        with { MaxCredits = maxCredits };

    private sealed class Recorder(List<LiveStatus> seen, Action<LiveStatus>? then = null) : IProgress<LiveStatus>
    {
        public void Report(LiveStatus value)
        {
            seen.Add(value);
            then?.Invoke(value);
        }
    }
}

using Enrichflow.Core.Storage;
using Enrichflow.Engine.Execution;
using Enrichflow.Engine.Status;
using Microsoft.Extensions.DependencyInjection;

namespace Enrichflow.Engine.Tests;

/// <summary>
/// Issue 11 item 13: a run recorded without its source unit (a crash between the two) is repaired at start-up and by
/// the sweep; the compiled-plan cache keeps no finished run's plan.
/// </summary>
public sealed class RunRepairTests
{
    private const string WebhookTransform = """
        {"blocks": [
          {"sequence_number": 1, "block_type": "webhook", "block_name": "webhook", "block_id": "input", "specs": {}},
          {"sequence_number": 2, "block_type": "transform", "block_name": "transform", "block_id": "shape", "specs": {"operations": [{"op": "upper", "column": "name"}]}}],
         "edges": [{"from_block_id": "input", "to_block_id": "shape"}]}
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_run_recorded_without_its_source_unit_is_repaired_by_the_sweep_and_completes()
    {
        await using var engine = await StartEngineAsync();
        var runId = await RecordRunWithoutUnitsAsync(engine, rows: 50);

        await engine.Coordinator.SweepAsync(Ct);

        await AssertCompletedWithEveryRowAsync(engine, runId, rows: 50);
    }

    [Fact]
    public async Task A_run_recorded_without_its_source_unit_is_repaired_by_the_recovery_at_start_up()
    {
        await using var engine = await StartEngineAsync();
        var runId = await RecordRunWithoutUnitsAsync(engine, rows: 30);

        await engine.Coordinator.RecoverAsync(Ct);

        await AssertCompletedWithEveryRowAsync(engine, runId, rows: 30);
    }

    [Fact]
    public async Task A_run_is_recorded_with_its_source_unit()
    {
        await using var engine = await StartEngineAsync();
        var queued = await engine.NewWebhookRunAsync(WebhookTransform, 10, Ct);

        var creation = await engine.Store.CreateRunAsync(queued, null, Ct);

        Assert.True(creation.Created);
        Assert.True((await engine.Store.CountUnitsAsync(queued.Run.Id, Ct)).Total > 0);
        await AssertCompletedWithEveryRowAsync(engine, queued.Run.Id, rows: 10);
    }

    [Fact]
    public async Task The_plan_cache_holds_no_finished_run_after_their_status_and_results_are_read()
    {
        await using var engine = await StartEngineAsync();
        var plans = engine.Services.GetRequiredService<RunPlans>();
        var status = engine.Services.GetRequiredService<LiveStatusReader>();
        var runIds = new List<Guid>();
        for (var i = 0; i < 6; i++)
        {
            runIds.Add(await engine.QueueWebhookRunAsync(WebhookTransform, 20, Ct));
        }

        foreach (var runId in runIds)
        {
            Assert.Equal(RunStatus.Completed, (await engine.WaitUntilEndedAsync(runId, Ct)).Status);
        }

        // What GET /live_status and the download links do with a finished run: read it and its plan.
        foreach (var runId in runIds)
        {
            var run = (await engine.Store.GetRunAsync(runId, Ct))!;
            Assert.Equal("completed", (await status.ReadAsync(run, Ct)).OverallStatus);
            Assert.Equal(2, plans.Get(run).Plan.Blocks.Count);
        }

        Assert.Equal(0, plans.Count);
    }

    [Fact]
    public async Task The_sweep_drops_a_plan_put_back_by_a_caller_that_read_the_run_before_it_ended()
    {
        await using var engine = await StartEngineAsync();
        var plans = engine.Services.GetRequiredService<RunPlans>();
        var runId = await engine.QueueWebhookRunAsync(WebhookTransform, 20, Ct);
        var ended = await engine.WaitUntilEndedAsync(runId, Ct);
        plans.Get(ended);

        plans.Get(ended with { Status = RunStatus.Running });
        Assert.Equal(1, plans.Count);
        await engine.Coordinator.SweepAsync(Ct);

        Assert.Equal(0, plans.Count);
    }

    private static Task<EngineHarness> StartEngineAsync() =>
        EngineHarness.StartAsync((services, directory) =>
        {
            EngineHarness.AddEmbeddedStorage(services, directory);
            services.AddEnrichflowEngine(new EngineSetup { Workers = 2, ChunkSize = 10 }.Apply);
        }, Ct);

    /// <summary>Stores a run and its blocks but not its source unit, as a process that stopped between the two left it.</summary>
    private static async Task<Guid> RecordRunWithoutUnitsAsync(EngineHarness engine, int rows)
    {
        var queued = await engine.NewWebhookRunAsync(WebhookTransform, rows, Ct);
        await engine.Store.CreateRunAsync(queued.Run, queued.Blocks, Ct);
        return queued.Run.Id;
    }

    private static async Task AssertCompletedWithEveryRowAsync(EngineHarness engine, Guid runId, int rows)
    {
        var run = await engine.WaitUntilEndedAsync(runId, Ct);
        Assert.True(run.Status == RunStatus.Completed, await engine.DescribeAsync(runId, Ct));
        var result = await engine.ReadResultCsvAsync(runId, "2_shape.csv", Ct);
        Assert.Equal(Enumerable.Range(0, rows).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), result.Select(r => r["id"]));
    }
}

using Enrichflow.Core.Storage;
using Microsoft.Extensions.Time.Testing;

namespace Enrichflow.Engine.Tests;

/// <summary>
/// What every <see cref="IWorkDispatcher"/> must do, proven through what the store and blob store record (run
/// status, counters, assembled result files). A dispatcher subclasses this and says how to start an engine with it.
/// </summary>
public abstract class DispatcherCompliance
{
    private const string WebhookTransform = """
        {"blocks": [
          {"sequence_number": 1, "block_type": "webhook", "block_name": "webhook", "block_id": "input", "specs": {}},
          {"sequence_number": 2, "block_type": "transform", "block_name": "transform", "block_id": "shape", "specs": {"operations": [{"op": "upper", "column": "name"}]}}],
         "edges": [{"from_block_id": "input", "to_block_id": "shape"}]}
        """;

    private const string WebhookProbe = """
        {"blocks": [
          {"sequence_number": 1, "block_type": "webhook", "block_name": "webhook", "block_id": "input", "specs": {}},
          {"sequence_number": 2, "block_type": "probe", "block_name": "probe", "block_id": "probe", "specs": {}}],
         "edges": [{"from_block_id": "input", "to_block_id": "probe"}]}
        """;

    /// <summary>transform and probe run fused in one unit per chunk (the unit is named after its head, <c>shape</c>).</summary>
    private const string WebhookTransformProbe = """
        {"blocks": [
          {"sequence_number": 1, "block_type": "webhook", "block_name": "webhook", "block_id": "input", "specs": {}},
          {"sequence_number": 2, "block_type": "transform", "block_name": "transform", "block_id": "shape", "specs": {"operations": [{"op": "upper", "column": "name"}]}},
          {"sequence_number": 3, "block_type": "probe", "block_name": "probe", "block_id": "probe", "specs": {}}],
         "edges": [{"from_block_id": "input", "to_block_id": "shape"}, {"from_block_id": "shape", "to_block_id": "probe"}]}
        """;

    private const string ProbeResult = "2_probe.csv";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Starts an engine (store, blob store, engine and the dispatcher under test) configured by <paramref name="setup"/>.</summary>
    protected abstract Task<EngineHarness> StartEngineAsync(EngineSetup setup, CancellationToken cancellationToken);

    [Fact]
    public async Task A_queued_run_is_executed_to_completion_with_every_row_once_in_order()
    {
        await using var engine = await StartEngineAsync(new EngineSetup { Workers = 4, ChunkSize = 10 }, Ct);

        var runId = await engine.QueueWebhookRunAsync(WebhookTransform, 1000, Ct);
        var run = await engine.WaitUntilEndedAsync(runId, Ct);

        Assert.True(run.Status == RunStatus.Completed, await engine.DescribeAsync(runId, Ct));
        Assert.Equal(100, run.SourceChunkCount);
        Assert.All(await engine.Store.GetRunBlocksAsync(runId, Ct), block =>
        {
            Assert.Equal(BlockStatus.Completed, block.Status);
            Assert.Equal(100, block.ChunksDone);
            Assert.Equal(1000, block.RowsIn);
            Assert.Equal(1000, block.RowsOut);
        });
        var units = await engine.Store.CountUnitsAsync(runId, Ct);
        Assert.Equal((0, 0, 0), (units.Pending, units.Running, units.Failed));
        var rows = await engine.ReadResultCsvAsync(runId, "2_shape.csv", Ct);
        AssertEveryRowOnceInOrder(rows, 1000);
        Assert.All(rows, row => Assert.Equal($"LEAD {row["id"]}", row["name"]));
        Assert.Equal(1000, (await engine.Store.ListResultFilesAsync(runId, Ct)).Single(f => f.FileName == "2_shape.csv").RowCount);
    }

    [Fact]
    public async Task A_run_whose_last_steps_committed_before_a_crash_is_completed_by_the_next_sweep()
    {
        await using var engine = await StartEngineAsync(new EngineSetup { Workers = 2, ChunkSize = 10 }, Ct);
        var runId = await engine.QueueWebhookRunAsync(WebhookTransform, 50, Ct);
        Assert.Equal(RunStatus.Completed, (await engine.WaitUntilEndedAsync(runId, Ct)).Status);

        // As if the process died after the Finalize and Assemble units committed, before it marked the run and a block.
        await engine.Store.TransitionRunAsync(runId, [RunStatus.Completed], RunStatus.Running, DateTimeOffset.UtcNow, null, null, Ct);
        await engine.Store.TransitionBlockAsync(runId, "shape", [BlockStatus.Completed], BlockStatus.Running, DateTimeOffset.UtcNow, null, Ct);
        await engine.Coordinator.SweepAsync(Ct);

        Assert.Equal(RunStatus.Completed, (await engine.Store.GetRunAsync(runId, Ct))!.Status);
        Assert.All(await engine.Store.GetRunBlocksAsync(runId, Ct), block => Assert.Equal(BlockStatus.Completed, block.Status));
        AssertEveryRowOnceInOrder(await engine.ReadResultCsvAsync(runId, "2_shape.csv", Ct), 50);
    }

    [Fact]
    public async Task Runs_queued_together_all_complete_and_interleave()
    {
        await using var engine = await StartEngineAsync(new EngineSetup { Workers = 2, ChunkSize = 10 }, Ct);
        // A busy dispatcher starts queued runs every 200 ms (InProcessDispatcher.StartInterval): each run's chunks take
        // longer than that (30 chunks x 20 ms over 2 workers), so a run that waited for another to end would show.
        engine.Probe.OnChunk = (_, ct) => Task.Delay(20, ct);

        var runs = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            runs.Add(await engine.QueueWebhookRunAsync(WebhookProbe, 300, Ct));
        }

        foreach (var runId in runs)
        {
            var run = await engine.WaitUntilEndedAsync(runId, Ct);
            Assert.True(run.Status == RunStatus.Completed, await engine.DescribeAsync(runId, Ct));
            AssertEveryRowOnceInOrder(await engine.ReadResultCsvAsync(runId, ProbeResult, Ct), 300);
        }

        // Every run had a chunk started before every other run's last chunk started: no run waited for another to end.
        var visits = runs.ToDictionary(r => r, r => engine.Probe.VisitsOf(r));
        foreach (var a in runs)
        {
            foreach (var b in runs.Where(b => b != a))
            {
                Assert.True(visits[a].Min(v => v.Sequence) < visits[b].Max(v => v.Sequence),
                    $"Run {a} started its first chunk only after run {b} had started its last one.\n{await DescribeStartsAsync(engine, runs)}");
            }
        }
    }

    [Fact]
    public async Task A_run_queued_while_another_is_under_way_starts_before_that_one_ends()
    {
        await using var engine = await StartEngineAsync(new EngineSetup { Workers = 2, ChunkSize = 10 }, Ct);
        engine.Probe.OnChunk = (_, ct) => Task.Delay(10, ct);

        var first = await engine.QueueWebhookRunAsync(WebhookProbe, 600, Ct);
        await engine.WaitUntilAsync(() => engine.Probe.VisitsOf(first).Count >= 2, $"run {first} is under way", Ct);
        var second = await engine.QueueWebhookRunAsync(WebhookProbe, 100, Ct);
        foreach (var runId in new[] { first, second })
        {
            var run = await engine.WaitUntilEndedAsync(runId, Ct);
            Assert.True(run.Status == RunStatus.Completed, await engine.DescribeAsync(runId, Ct));
        }

        Assert.True(engine.Probe.VisitsOf(second).Min(v => v.Sequence) < engine.Probe.VisitsOf(first).Max(v => v.Sequence),
            $"Run {second} started its first chunk only after run {first} had started its last one.\n{await DescribeStartsAsync(engine, [first, second])}");
    }

    [Fact]
    public async Task No_more_units_run_at_once_than_there_are_workers()
    {
        const int workers = 3;
        await using var engine = await StartEngineAsync(new EngineSetup { Workers = workers, ChunkSize = 10 }, Ct);
        engine.Probe.OnChunk = (_, ct) => Task.Delay(20, ct);

        var first = await engine.QueueWebhookRunAsync(WebhookProbe, 400, Ct);
        var second = await engine.QueueWebhookRunAsync(WebhookProbe, 400, Ct);
        foreach (var runId in new[] { first, second })
        {
            var run = await engine.WaitUntilEndedAsync(runId, Ct);
            Assert.True(run.Status == RunStatus.Completed, await engine.DescribeAsync(runId, Ct));
        }

        Assert.Equal(80, engine.Probe.Visits.Count);
        Assert.True(engine.Probe.MaxConcurrent <= workers, $"{engine.Probe.MaxConcurrent} chunks ran at once with {workers} workers.");
        Assert.True(engine.Probe.MaxConcurrent == workers, $"At most {engine.Probe.MaxConcurrent} chunks ran at once; {workers} workers were idle with 80 chunks to do.");
    }

    [Fact]
    public async Task Cancel_aborts_the_runs_in_flight_units_and_frees_their_workers()
    {
        const int workers = 2;
        await using var engine = await StartEngineAsync(new EngineSetup { Workers = workers, ChunkSize = 10 }, Ct);
        var stuck = Guid.CreateVersion7();
        engine.Probe.OnChunk = (visit, ct) => visit.RunId == stuck ? Task.Delay(Timeout.Infinite, ct) : Task.CompletedTask;

        await engine.QueueWebhookRunAsync(WebhookProbe, 100, Ct, stuck);
        await engine.WaitUntilAsync(() => engine.Probe.VisitsOf(stuck).Count == workers, $"every worker runs a chunk of run {stuck}", Ct);
        var other = await engine.QueueWebhookRunAsync(WebhookProbe, 100, Ct);

        Assert.Equal(RunStatus.Cancelled, await engine.Coordinator.CancelAsync(stuck, Ct));

        // The other run can only run on the workers the cancelled run's units held.
        var run = await engine.WaitUntilEndedAsync(other, Ct);
        Assert.True(run.Status == RunStatus.Completed, await engine.DescribeAsync(other, Ct));
        AssertEveryRowOnceInOrder(await engine.ReadResultCsvAsync(other, ProbeResult, Ct), 100);
        await engine.WaitUntilAsync(() => engine.Probe.Cancelled.Count == workers, "the aborted units observe their cancellation", Ct);
        Assert.All(engine.Probe.Cancelled, visit => Assert.Equal(stuck, visit.RunId));
        Assert.Equal(workers, engine.Probe.VisitsOf(stuck).Count);
        Assert.Equal(RunStatus.Cancelled, (await engine.Store.GetRunAsync(stuck, Ct))!.Status);
        Assert.Equal(0, (await engine.Store.GetRunBlocksAsync(stuck, Ct)).Single(b => b.BlockId == "probe").ChunksDone);
    }

    [Fact]
    public async Task A_run_cancelled_on_another_node_stops_this_nodes_units_at_their_next_lease_renewal()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var lease = TimeSpan.FromSeconds(3);
        await using var engine = await StartEngineAsync(new EngineSetup { Workers = 2, ChunkSize = 10, Lease = lease, Time = time }, Ct);
        var stuck = Guid.CreateVersion7();
        engine.Probe.OnChunk = (visit, ct) => Task.Delay(Timeout.Infinite, ct);
        await engine.QueueWebhookRunAsync(WebhookProbe, 100, Ct, stuck);
        await engine.WaitUntilAsync(() => engine.Probe.VisitsOf(stuck).Count == 2, $"both workers run a chunk of run {stuck}", Ct);

        // Another node cancelled the run: the store says so, and no abort reached this node.
        Assert.True(await engine.Store.TransitionRunAsync(stuck, [RunStatus.Running], RunStatus.Cancelled, time.GetUtcNow(), "cancelled elsewhere", null, Ct));
        time.Advance(lease / 3);

        await engine.WaitUntilAsync(() => engine.Probe.Cancelled.Count == 2, "the units observe their cancellation at the renewal", Ct);
        Assert.All(engine.Probe.Cancelled, visit => Assert.Equal(stuck, visit.RunId));
        Assert.Equal(0, (await engine.Store.GetRunBlocksAsync(stuck, Ct)).Single(b => b.BlockId == "probe").ChunksDone);
    }

    [Fact]
    public async Task Cancel_of_one_run_leaves_the_in_flight_units_of_other_runs_running()
    {
        await using var engine = await StartEngineAsync(new EngineSetup { Workers = 3, ChunkSize = 10 }, Ct);
        var stuck = Guid.CreateVersion7();
        engine.Probe.OnChunk = (visit, ct) => Task.Delay(visit.RunId == stuck ? Timeout.Infinite : 30, ct);

        await engine.QueueWebhookRunAsync(WebhookProbe, 20, Ct, stuck);
        await engine.WaitUntilAsync(() => engine.Probe.VisitsOf(stuck).Count == 2, $"both chunks of run {stuck} are running", Ct);
        var other = await engine.QueueWebhookRunAsync(WebhookProbe, 300, Ct);
        await engine.WaitUntilAsync(() => engine.Probe.VisitsOf(other).Count >= 3, $"run {other} is under way", Ct);

        Assert.Equal(RunStatus.Cancelled, await engine.Coordinator.CancelAsync(stuck, Ct));

        var run = await engine.WaitUntilEndedAsync(other, Ct);
        Assert.True(run.Status == RunStatus.Completed, await engine.DescribeAsync(other, Ct));
        AssertEveryRowOnceInOrder(await engine.ReadResultCsvAsync(other, ProbeResult, Ct), 300);
        Assert.All(engine.Probe.VisitsOf(other), visit => Assert.Equal(1, visit.Attempt));
        await engine.WaitUntilAsync(() => engine.Probe.Cancelled.Count == 2, "the aborted units observe their cancellation", Ct);
        Assert.All(engine.Probe.Cancelled, visit => Assert.Equal(stuck, visit.RunId));
    }

    [Fact]
    public async Task A_stuck_unit_is_taken_over_when_its_lease_expires()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var lease = TimeSpan.FromSeconds(2);
        await using var engine = await StartEngineAsync(new EngineSetup { Workers = 2, ChunkSize = 10, Lease = lease, Time = time }, Ct);
        // The worker running chunk 3 freezes: its block and its lease renewals hang (ignoring cancellation) until
        // the unit's second attempt starts elsewhere; then the first attempt wakes up and tries to finish.
        engine.Probe.OnChunk = (visit, _) => (visit.Chunk, visit.Attempt) switch
        {
            (3, 1) => engine.Probe.Stuck,
            (3, _) => Release(engine.Probe),
            _ => Task.CompletedTask,
        };
        engine.Faults.BeforeRenewal = (unit, _) => unit.Key is { Kind: UnitKind.Chunk, Chunk: 3 } && unit.Attempt == 1 ? engine.Probe.Stuck : Task.CompletedTask;

        var runId = await engine.QueueWebhookRunAsync(WebhookProbe, 100, Ct);
        // Only the frozen unit is left (every other chunk done, nothing else to claim), so moving the clock past
        // the lease can expire no other unit's.
        await engine.WaitUntilAsync(OnlyTheFrozenChunkIsLeftAsync, $"only chunk 3 of run {runId} is left, frozen", Ct);
        Assert.Single(engine.Probe.VisitsOf(runId), v => v.Chunk == 3);
        time.Advance(lease + TimeSpan.FromMilliseconds(1));
        var run = await engine.WaitUntilEndedAsync(runId, Ct);

        Assert.True(run.Status == RunStatus.Completed, await engine.DescribeAsync(runId, Ct));
        Assert.Equal([1, 2], engine.Probe.VisitsOf(runId).Where(v => v.Chunk == 3).Select(v => v.Attempt).Order());
        var rows = await engine.ReadResultCsvAsync(runId, ProbeResult, Ct);
        AssertEveryRowOnceInOrder(rows, 100);
        Assert.All(rows, row => Assert.Equal(row["id"] is ['3', _] ? "2" : "1", row["probe_attempt"]));
        var block = (await engine.Store.GetRunBlocksAsync(runId, Ct)).Single(b => b.BlockId == "probe");
        Assert.Equal((10, 100L, 100L), (block.ChunksDone, block.RowsIn, block.RowsOut));

        async Task<bool> OnlyTheFrozenChunkIsLeftAsync(CancellationToken ct)
        {
            var units = await engine.Store.CountUnitsAsync(runId, ct);
            var blocks = await engine.Store.GetRunBlocksAsync(runId, ct);
            return units is { Running: 1, Pending: 0 }
                && blocks.Single(b => b.BlockId == "probe").ChunksDone == 9
                && engine.Probe.VisitsOf(runId).Any(v => v is { Chunk: 3, Attempt: 1 });
        }

        static Task Release(BlockProbe probe)
        {
            probe.ReleaseStuck();
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task A_failed_unit_is_retried_and_the_run_completes()
    {
        await using var engine = await StartEngineAsync(new EngineSetup { Workers = 2, ChunkSize = 10, MaxAttempts = 3 }, Ct);
        engine.Probe.OnChunk = (visit, _) => visit is { Chunk: 5, Attempt: 1 } ? throw new ProbeFailureException("provider timed out") : Task.CompletedTask;

        var runId = await engine.QueueWebhookRunAsync(WebhookProbe, 100, Ct);
        var run = await engine.WaitUntilEndedAsync(runId, Ct);

        Assert.True(run.Status == RunStatus.Completed, await engine.DescribeAsync(runId, Ct));
        Assert.Null(run.ErrorMessage);
        Assert.Equal(2, engine.Probe.VisitsOf(runId).Count(v => v.Chunk == 5));
        var rows = await engine.ReadResultCsvAsync(runId, ProbeResult, Ct);
        AssertEveryRowOnceInOrder(rows, 100);
        Assert.All(rows, row => Assert.Equal(row["id"] is ['5', _] ? "2" : "1", row["probe_attempt"]));
        Assert.Equal(0, (await engine.Store.CountUnitsAsync(runId, Ct)).Failed);
    }

    [Fact]
    public async Task A_unit_that_keeps_failing_fails_the_run_naming_the_block_and_chunk()
    {
        await using var engine = await StartEngineAsync(new EngineSetup { Workers = 2, ChunkSize = 10, MaxAttempts = 2 }, Ct);
        engine.Probe.OnChunk = (visit, _) => visit.Chunk == 5 ? throw new ProbeFailureException("provider timed out") : Task.CompletedTask;

        var runId = await engine.QueueWebhookRunAsync(WebhookProbe, 100, Ct);
        var run = await engine.WaitUntilEndedAsync(runId, Ct);

        Assert.True(run.Status == RunStatus.Failed, await engine.DescribeAsync(runId, Ct));
        Assert.Contains("'probe'", run.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("chunk 5", run.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("provider timed out", run.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(2, engine.Probe.VisitsOf(runId).Count(v => v.Chunk == 5));
        Assert.Equal(BlockStatus.Failed, (await engine.Store.GetRunBlocksAsync(runId, Ct)).Single(b => b.BlockId == "probe").Status);
        Assert.Equal(1, (await engine.Store.CountUnitsAsync(runId, Ct)).Failed);
    }

    [Fact]
    public async Task The_block_that_failed_a_run_keeps_its_error_message()
    {
        await using var engine = await StartEngineAsync(new EngineSetup { Workers = 2, ChunkSize = 10, MaxAttempts = 1 }, Ct);
        engine.Probe.OnChunk = (visit, _) => visit.Chunk == 5 ? throw new ProbeFailureException("provider timed out") : Task.CompletedTask;

        var runId = await engine.QueueWebhookRunAsync(WebhookProbe, 100, Ct);
        var run = await engine.WaitUntilEndedAsync(runId, Ct);

        Assert.True(run.Status == RunStatus.Failed, await engine.DescribeAsync(runId, Ct));
        var block = (await engine.Store.GetRunBlocksAsync(runId, Ct)).Single(b => b.BlockId == "probe");
        Assert.Equal(BlockStatus.Failed, block.Status);
        Assert.Equal(run.ErrorMessage, block.ErrorMessage);
    }

    [Fact]
    public async Task A_failure_in_a_fused_block_names_that_block_not_the_head_of_its_unit()
    {
        await using var engine = await StartEngineAsync(new EngineSetup { Workers = 2, ChunkSize = 10, MaxAttempts = 1 }, Ct);
        engine.Probe.OnChunk = (visit, _) => visit.Chunk == 5 ? throw new ProbeFailureException("provider timed out") : Task.CompletedTask;

        var runId = await engine.QueueWebhookRunAsync(WebhookTransformProbe, 100, Ct);
        var run = await engine.WaitUntilEndedAsync(runId, Ct);

        Assert.True(run.Status == RunStatus.Failed, await engine.DescribeAsync(runId, Ct));
        var blocks = (await engine.Store.GetRunBlocksAsync(runId, Ct)).ToDictionary(b => b.BlockId);
        Assert.True(run.ErrorMessage?.Contains("'probe'", StringComparison.Ordinal) == true && run.ErrorMessage.Contains("chunk 5", StringComparison.Ordinal),
            $"The run's error should name block 'probe' and chunk 5 (the block that threw); it is: {run.ErrorMessage}");
        Assert.Equal(BlockStatus.Failed, blocks["probe"].Status);
    }

    [Fact]
    public async Task A_lease_renewal_error_does_not_cost_the_dispatcher_a_worker()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var lease = TimeSpan.FromSeconds(2);
        await using var engine = await StartEngineAsync(new EngineSetup { Workers = 1, ChunkSize = 10, Lease = lease, Time = time }, Ct);
        var failed = 0;
        engine.Faults.BeforeRenewal = (unit, _) => unit.Key.Kind == UnitKind.Chunk && Interlocked.Exchange(ref failed, 1) == 0
            ? throw new TimeoutException("The store did not answer in time.")
            : Task.CompletedTask;
        // Chunk 0 outlives one renewal interval (a third of the lease, well inside it); that renewal meets a transient store error.
        engine.Probe.OnChunk = async (visit, ct) =>
        {
            if (visit is { Chunk: 0, Attempt: 1 })
            {
                time.Advance(lease / 3);
                await engine.WaitUntilAsync(() => Volatile.Read(ref failed) == 1, "the renewal of chunk 0 meets the store error", ct);
            }
        };

        var runId = await engine.QueueWebhookRunAsync(WebhookProbe, 30, Ct);
        var run = await engine.WaitUntilEndedAsync(runId, Ct);

        Assert.Equal(1, failed);
        Assert.True(run.Status == RunStatus.Completed, await engine.DescribeAsync(runId, Ct));
        AssertEveryRowOnceInOrder(await engine.ReadResultCsvAsync(runId, ProbeResult, Ct), 30);
    }

    [Fact]
    public async Task Store_errors_while_claiming_units_do_not_cost_the_dispatcher_its_workers()
    {
        // Regression: a claim that threw after a worker slot was taken kept the slot; with more failed claims than
        // workers, no unit ever ran again.
        await using var engine = await StartEngineAsync(new EngineSetup { Workers = 2, ChunkSize = 10 }, Ct);
        var failures = 0;
        engine.Faults.BeforeClaim = () => Interlocked.Increment(ref failures) <= 5
            ? throw new TimeoutException("The store did not answer in time.")
            : Task.CompletedTask;

        var runId = await engine.QueueWebhookRunAsync(WebhookProbe, 50, Ct);
        var run = await engine.WaitUntilEndedAsync(runId, Ct);

        Assert.True(Volatile.Read(ref failures) > 5, "the claims never met the store errors");
        Assert.True(run.Status == RunStatus.Completed, await engine.DescribeAsync(runId, Ct));
        AssertEveryRowOnceInOrder(await engine.ReadResultCsvAsync(runId, ProbeResult, Ct), 50);
    }

    private static async Task<string> DescribeStartsAsync(EngineHarness engine, IEnumerable<Guid> runs)
    {
        var lines = new List<string>();
        foreach (var runId in runs)
        {
            var run = (await engine.Store.GetRunAsync(runId, Ct))!;
            lines.Add($"run {runId}: queued {run.QueuedAt:HH:mm:ss.fff}, started {run.StartedAt:HH:mm:ss.fff}, completed {run.CompletedAt:HH:mm:ss.fff}");
        }

        return string.Join('\n', lines);
    }

    private static void AssertEveryRowOnceInOrder(List<Dictionary<string, string>> rows, int count) =>
        Assert.Equal(Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), rows.Select(r => r["id"]));
}

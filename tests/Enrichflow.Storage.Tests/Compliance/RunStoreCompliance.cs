using Enrichflow.Core.Storage;

namespace Enrichflow.Storage.Tests.Compliance;

/// <summary>
/// What every <see cref="IRunStore"/> backend must do. A backend's test class subclasses this and says how to make
/// a fresh, empty, migrated store.
/// </summary>
public abstract partial class RunStoreCompliance : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(1_234_567);
    protected static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    protected static readonly string[] DefaultBlocks = ["source", "clean", "enrich"];

    private IRunStore? _store;

    protected IRunStore Store => _store ?? throw new InvalidOperationException("The store is not initialized.");

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Makes a fresh, empty store with its schema in place.</summary>
    protected abstract ValueTask<IRunStore> CreateStoreAsync(CancellationToken cancellationToken);

    public async ValueTask InitializeAsync() => _store = await CreateStoreAsync(Ct);

    public virtual async ValueTask DisposeAsync()
    {
        if (_store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Created_run_reads_back_with_its_blocks()
    {
        var run = NewRun(RunStatus.Queued, queuedAt: T0) with
        {
            StatusReason = "waiting",
            SourceChunkCount = 4,
            ProgressPercent = 7,
            ScheduleId = Guid.NewGuid(),
        };
        await Store.CreateRunAsync(run, Blocks(run.Id), Ct);

        var stored = await Store.GetRunAsync(run.Id, Ct);
        Assert.Equal(run, stored);
        Assert.Equal(TimeSpan.Zero, stored!.QueuedAt.Offset);
        var blocks = await Store.GetRunBlocksAsync(run.Id, Ct);
        Assert.Equal(Blocks(run.Id), blocks);
    }

    [Fact]
    public async Task An_unknown_run_is_null()
    {
        Assert.Null(await Store.GetRunAsync(Guid.NewGuid(), Ct));
        Assert.Empty(await Store.GetRunBlocksAsync(Guid.NewGuid(), Ct));
    }

    [Fact]
    public async Task Extend_replaces_the_definition_and_adds_the_block_only_while_the_definition_is_the_expected_one()
    {
        var run = NewRun(RunStatus.Running);
        await Store.CreateRunAsync(run, Blocks(run.Id), Ct);
        var added = new RunBlockRecord(run.Id, "later", "filter", 4, 3, BlockStatus.Pending, UpdatedAt: T0);
        const string grown = """{"blocks":[{"block_id":"later"}]}""";

        Assert.False(await Store.ExtendRunAsync(run.Id, """{"blocks":["stale"]}""", grown, added, Ct));
        Assert.False(await Store.ExtendRunAsync(Guid.NewGuid(), run.DefinitionJson, grown, added, Ct));
        Assert.Equal(Blocks(run.Id), await Store.GetRunBlocksAsync(run.Id, Ct));

        Assert.True(await Store.ExtendRunAsync(run.Id, run.DefinitionJson, grown, added, Ct));
        Assert.Equal(grown, (await Store.GetRunAsync(run.Id, Ct))!.DefinitionJson);
        Assert.Equal([.. Blocks(run.Id), added], await Store.GetRunBlocksAsync(run.Id, Ct));
        Assert.False(await Store.ExtendRunAsync(run.Id, run.DefinitionJson, grown, added with { BlockId = "again" }, Ct));
    }

    [Fact]
    public async Task Transition_is_compare_and_set()
    {
        var runId = await AddRunAsync(RunStatus.Queued);

        Assert.False(await Store.TransitionRunAsync(runId, [RunStatus.Paused], RunStatus.Running, T0, null, null, Ct));
        Assert.Equal(RunStatus.Queued, (await Store.GetRunAsync(runId, Ct))!.Status);
        Assert.True(await Store.TransitionRunAsync(runId, [RunStatus.Queued, RunStatus.Paused], RunStatus.Running, T0, null, null, Ct));
        Assert.False(await Store.TransitionRunAsync(runId, [RunStatus.Queued], RunStatus.Running, T0, null, null, Ct));
        Assert.False(await Store.TransitionRunAsync(runId, [], RunStatus.Cancelled, T0, null, null, Ct));
        Assert.False(await Store.TransitionRunAsync(Guid.NewGuid(), [RunStatus.Queued], RunStatus.Running, T0, null, null, Ct));
        Assert.Equal(RunStatus.Running, (await Store.GetRunAsync(runId, Ct))!.Status);
    }

    [Fact]
    public async Task Transition_sets_started_at_once_and_completed_at_on_a_terminal_status()
    {
        var runId = await AddRunAsync(RunStatus.Queued);

        await Store.TransitionRunAsync(runId, [RunStatus.Queued], RunStatus.Running, T0.AddSeconds(1), null, null, Ct);
        await Store.TransitionRunAsync(runId, [RunStatus.Running], RunStatus.Paused, T0.AddSeconds(2), "budget_reached", null, Ct);
        var paused = (await Store.GetRunAsync(runId, Ct))!;
        Assert.Equal(T0.AddSeconds(1), paused.StartedAt);
        Assert.Null(paused.CompletedAt);
        Assert.Equal("budget_reached", paused.StatusReason);
        Assert.Equal(T0.AddSeconds(2), paused.UpdatedAt);

        await Store.TransitionRunAsync(runId, [RunStatus.Paused], RunStatus.Running, T0.AddSeconds(3), null, null, Ct);
        await Store.TransitionRunAsync(runId, [RunStatus.Running], RunStatus.Failed, T0.AddSeconds(4), "block_failed", "boom", Ct);
        var failed = (await Store.GetRunAsync(runId, Ct))!;
        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Equal(T0.AddSeconds(1), failed.StartedAt);
        Assert.Equal(T0.AddSeconds(4), failed.CompletedAt);
        Assert.Equal("block_failed", failed.StatusReason);
        Assert.Equal("boom", failed.ErrorMessage);
    }

    [Fact]
    public async Task Progress_never_goes_down()
    {
        var runId = await AddRunAsync();

        Assert.Equal(40, await Store.RaiseProgressAsync(runId, 40, Ct));
        Assert.Equal(40, await Store.RaiseProgressAsync(runId, 10, Ct));
        Assert.Equal(55, await Store.RaiseProgressAsync(runId, 55, Ct));
        Assert.Equal(55, (await Store.GetRunAsync(runId, Ct))!.ProgressPercent);
    }

    [Fact]
    public async Task List_runs_filters_by_status_workflow_and_limit()
    {
        var queued = await AddRunAsync(RunStatus.Queued, workflowId: "wf-1", queuedAt: T0);
        var running = await AddRunAsync(RunStatus.Running, workflowId: "wf-1", queuedAt: T0.AddMinutes(1));
        var completed = await AddRunAsync(RunStatus.Completed, workflowId: "wf-2", queuedAt: T0.AddMinutes(2));
        var paused = await AddRunAsync(RunStatus.Paused, workflowId: "wf-2", queuedAt: T0.AddMinutes(3));

        Assert.Equal([paused, completed, running, queued], await ListRunIdsAsync(new RunQuery("org-a", null, null, 100)));
        Assert.Equal([paused, completed, running, queued], await ListRunIdsAsync(new RunQuery("org-a", [], null, 100)));
        Assert.Equal([paused, running, queued],
            await ListRunIdsAsync(new RunQuery("org-a", [RunStatus.Queued, RunStatus.Running, RunStatus.Paused], null, 100)));
        Assert.Equal([completed], await ListRunIdsAsync(new RunQuery("org-a", [RunStatus.Completed], null, 100)));
        Assert.Equal([running, queued], await ListRunIdsAsync(new RunQuery("org-a", null, "wf-1", 100)));
        Assert.Equal([paused], await ListRunIdsAsync(new RunQuery("org-a", [RunStatus.Paused, RunStatus.Queued], "wf-2", 100)));
        Assert.Equal([paused, completed], await ListRunIdsAsync(new RunQuery("org-a", null, null, 2)));
        Assert.Empty(await ListRunIdsAsync(new RunQuery("org-a", null, "wf-unknown", 100)));
    }

    [Fact]
    public async Task List_runs_is_scoped_by_organization()
    {
        var mine = await AddRunAsync(RunStatus.Queued, org: "org-a");
        await AddRunAsync(RunStatus.Queued, org: "org-b");

        Assert.Equal([mine], await ListRunIdsAsync(new RunQuery("org-a", null, null, 100)));
        Assert.Empty(await ListRunIdsAsync(new RunQuery("org-c", null, null, 100)));
    }

    [Fact]
    public async Task List_runs_by_status_returns_every_organization_oldest_first()
    {
        var newer = await AddRunAsync(RunStatus.Running, org: "org-a", queuedAt: T0.AddMinutes(5));
        var older = await AddRunAsync(RunStatus.Queued, org: "org-b", queuedAt: T0);
        await AddRunAsync(RunStatus.Completed, org: "org-a", queuedAt: T0.AddMinutes(1));

        var runs = await Store.ListRunsByStatusAsync([RunStatus.Queued, RunStatus.Running], Ct);

        Assert.Equal([older, newer], runs.Select(r => r.Id));
        Assert.Empty(await Store.ListRunsByStatusAsync([], Ct));
    }

    [Fact]
    public async Task Block_status_sets_started_at_once_and_completed_at_on_an_end_state()
    {
        var runId = await AddRunAsync();

        await Store.TransitionBlockAsync(runId, "clean", [BlockStatus.Pending], BlockStatus.Running, T0.AddSeconds(1), null, Ct);
        await Store.TransitionBlockAsync(runId, "clean", [BlockStatus.Running], BlockStatus.Running, T0.AddSeconds(2), null, Ct);
        var running = await GetBlockAsync(runId, "clean");
        Assert.Equal(BlockStatus.Running, running.Status);
        Assert.Equal(T0.AddSeconds(1), running.StartedAt);
        Assert.Null(running.CompletedAt);

        await Store.TransitionBlockAsync(runId, "clean", [BlockStatus.Running], BlockStatus.Failed, T0.AddSeconds(3), "provider said no", Ct);
        var failed = await GetBlockAsync(runId, "clean");
        Assert.Equal(BlockStatus.Failed, failed.Status);
        Assert.Equal(T0.AddSeconds(1), failed.StartedAt);
        Assert.Equal(T0.AddSeconds(3), failed.CompletedAt);
        Assert.Equal("provider said no", failed.ErrorMessage);
        Assert.Equal(BlockStatus.Pending, (await GetBlockAsync(runId, "enrich")).Status);
    }

    [Fact]
    public async Task Result_files_keep_first_added_order_and_are_replaced_by_name()
    {
        var runId = await AddRunAsync();
        var clean = ResultFile(runId, "clean", "clean.csv", rows: 10);
        var enrich = ResultFile(runId, "enrich", "enrich.csv", rows: 5);
        var rejects = ResultFile(runId, "enrich", "rejects.ndjson", rows: 2);

        await Store.PutResultFileAsync(clean, Ct);
        await Store.PutResultFileAsync(enrich, Ct);
        await Store.PutResultFileAsync(rejects, Ct);
        var replaced = clean with { RowCount = 11, FileSize = 999, Message = "rebuilt" };
        await Store.PutResultFileAsync(replaced, Ct);

        Assert.Equal([replaced, enrich, rejects], await Store.ListResultFilesAsync(runId, Ct));
        Assert.Empty(await Store.ListResultFilesAsync(Guid.NewGuid(), Ct));
    }

    [Fact]
    public async Task A_pending_result_file_stays_pending_until_it_is_put_again_rendered()
    {
        var runId = await AddRunAsync();
        var pending = ResultFile(runId, "clean", "1_clean.csv", rows: 10) with { FileSize = 0, Pending = true };
        await Store.PutResultFileAsync(pending, Ct);
        Assert.True(Assert.Single(await Store.ListResultFilesAsync(runId, Ct)).Pending);

        var rendered = pending with { FileSize = 1234, Pending = false };
        await Store.PutResultFileAsync(rendered, Ct);
        Assert.Equal([rendered], await Store.ListResultFilesAsync(runId, Ct));
    }

    protected async Task<Guid> AddRunAsync(
        RunStatus status = RunStatus.Running, string org = "org-a", string workflowId = "wf-1", DateTimeOffset? queuedAt = null)
    {
        var run = NewRun(status, org, workflowId, queuedAt ?? T0);
        await Store.CreateRunAsync(run, Blocks(run.Id), Ct);
        return run.Id;
    }

    protected static RunRecord NewRun(RunStatus status, string org = "org-a", string workflowId = "wf-1", DateTimeOffset? queuedAt = null) =>
        new(Guid.CreateVersion7(), org, workflowId, "Workflow " + workflowId, 3, """{"blocks":[]}""", """{"result_formats":["csv"]}""",
            status, queuedAt ?? T0, queuedAt ?? T0);

    protected static List<RunBlockRecord> Blocks(Guid runId) =>
        [.. DefaultBlocks.Select((id, i) => new RunBlockRecord(runId, id, id + "_block", i + 1, i, BlockStatus.Pending))];

    protected async Task<RunBlockRecord> GetBlockAsync(Guid runId, string blockId) =>
        (await Store.GetRunBlocksAsync(runId, Ct)).Single(b => b.BlockId == blockId);

    private async Task<List<Guid>> ListRunIdsAsync(RunQuery query) =>
        [.. (await Store.ListRunsAsync(query, Ct)).Select(r => r.Id)];

    private static ResultFileRecord ResultFile(Guid runId, string blockId, string fileName, long rows) =>
        new(runId, blockId, Array.IndexOf(DefaultBlocks, blockId) + 1, ResultFormat.Csv, fileName, $"runs/{runId}/results/{fileName}", rows, rows * 100, T0, null);
}

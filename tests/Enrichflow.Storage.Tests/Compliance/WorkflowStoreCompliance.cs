using Enrichflow.Core.Storage;

namespace Enrichflow.Storage.Tests.Compliance;

/// <summary>What every <see cref="IWorkflowStore"/> backend must do.</summary>
public abstract class WorkflowStoreCompliance : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(7);
    private const string DefinitionV1 = """{"blocks":[{"block_id":"a"}],"edges":[]}""";
    private const string DefinitionV2 = """{"blocks":[{"block_id":"b"}],"edges":[]}""";

    private IWorkflowStore? _store;

    protected IWorkflowStore Store => _store ?? throw new InvalidOperationException("The store is not initialized.");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Makes a fresh, empty store with its schema in place.</summary>
    protected abstract ValueTask<IWorkflowStore> CreateStoreAsync(CancellationToken cancellationToken);

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
    public async Task Created_workflow_reads_back_at_version_1()
    {
        var workflow = NewWorkflow("org-a", "wf-1");

        Assert.True(await Store.TryCreateAsync(workflow, Ct));

        Assert.Equal(workflow, await Store.GetAsync("org-a", "wf-1", Ct));
        Assert.Equal(DefinitionV1, await Store.GetDefinitionVersionAsync("org-a", "wf-1", 1, Ct));
    }

    [Fact]
    public async Task Create_of_an_existing_id_returns_false_and_changes_nothing()
    {
        var workflow = NewWorkflow("org-a", "wf-1");
        await Store.TryCreateAsync(workflow, Ct);

        Assert.False(await Store.TryCreateAsync(workflow with { Name = "other", DefinitionJson = DefinitionV2 }, Ct));
        Assert.Equal(workflow, await Store.GetAsync("org-a", "wf-1", Ct));
    }

    [Fact]
    public async Task Upsert_creates_an_absent_workflow_with_empty_fields()
    {
        var created = await Store.UpsertAsync("org-a", "wf-new", new WorkflowUpdate(null, null, null), T0, Ct);

        Assert.Equal(
            new WorkflowRecord("wf-new", "org-a", "", "", WorkflowStatus.Active, WorkflowStep.Draft, T0, T0, null, 1, created.DefinitionJson),
            created);
        Assert.Equal(created, await Store.GetAsync("org-a", "wf-new", Ct));
        Assert.Equal(created.DefinitionJson, await Store.GetDefinitionVersionAsync("org-a", "wf-new", 1, Ct));
    }

    [Fact]
    public async Task Upsert_with_a_definition_bumps_the_version_and_keeps_the_old_one()
    {
        await Store.TryCreateAsync(NewWorkflow("org-a", "wf-1"), Ct);

        var renamed = await Store.UpsertAsync("org-a", "wf-1", new WorkflowUpdate("Renamed", null, null), T0.AddMinutes(1), Ct);
        var redefined = await Store.UpsertAsync("org-a", "wf-1", new WorkflowUpdate(null, "New text", DefinitionV2), T0.AddMinutes(2), Ct);

        Assert.Equal((1, "Renamed", "Leads", DefinitionV1, T0.AddMinutes(1)),
            (renamed.Version, renamed.Name, renamed.Description, renamed.DefinitionJson, renamed.UpdatedAt));
        Assert.Equal((2, "Renamed", "New text", DefinitionV2, T0.AddMinutes(2), T0),
            (redefined.Version, redefined.Name, redefined.Description, redefined.DefinitionJson, redefined.UpdatedAt, redefined.CreatedAt));
        Assert.Equal(DefinitionV1, await Store.GetDefinitionVersionAsync("org-a", "wf-1", 1, Ct));
        Assert.Equal(DefinitionV2, await Store.GetDefinitionVersionAsync("org-a", "wf-1", 2, Ct));
        Assert.Null(await Store.GetDefinitionVersionAsync("org-a", "wf-1", 3, Ct));
    }

    [Fact]
    public async Task Delete_answers_the_workflow_as_deleted_and_removes_it_for_good()
    {
        await Store.TryCreateAsync(NewWorkflow("org-a", "wf-1"), Ct);
        await Store.UpsertAsync("org-a", "wf-1", new WorkflowUpdate(null, null, DefinitionV2), T0.AddMinutes(1), Ct);

        var deleted = await Store.DeleteAsync("org-a", "wf-1", T0.AddMinutes(2), Ct);

        Assert.Equal((WorkflowStatus.Deleted, WorkflowStep.Deleted, T0.AddMinutes(2), "Sales leads", 2),
            (deleted!.Status, deleted.Step, deleted.UpdatedAt, deleted.Name, deleted.Version));
        Assert.Null(await Store.GetAsync("org-a", "wf-1", Ct));
        Assert.Empty(await Store.ListAsync("org-a", Ct));
        Assert.Null(await Store.GetDefinitionVersionAsync("org-a", "wf-1", 1, Ct));
        Assert.Null(await Store.DeleteAsync("org-a", "wf-1", T0.AddMinutes(3), Ct));
    }

    [Fact]
    public async Task A_deleted_id_is_free_and_a_new_workflow_with_it_starts_at_version_1()
    {
        await Store.TryCreateAsync(NewWorkflow("org-a", "wf-1"), Ct);
        await Store.UpsertAsync("org-a", "wf-1", new WorkflowUpdate(null, null, DefinitionV2), T0.AddMinutes(1), Ct);
        await Store.RecordRunAsync("org-a", "wf-1", T0.AddMinutes(1), completed: true, Ct);
        await Store.DeleteAsync("org-a", "wf-1", T0.AddMinutes(2), Ct);

        var fresh = NewWorkflow("org-a", "wf-1") with { Name = "Second life", CreatedAt = T0.AddMinutes(3), UpdatedAt = T0.AddMinutes(3) };
        Assert.True(await Store.TryCreateAsync(fresh, Ct));

        Assert.Equal(fresh, await Store.GetAsync("org-a", "wf-1", Ct));
        Assert.Equal(DefinitionV1, await Store.GetDefinitionVersionAsync("org-a", "wf-1", 1, Ct));
        Assert.Null(await Store.GetDefinitionVersionAsync("org-a", "wf-1", 2, Ct));
    }

    [Fact]
    public async Task An_update_after_delete_creates_a_new_workflow()
    {
        await Store.TryCreateAsync(NewWorkflow("org-a", "wf-1"), Ct);
        await Store.RecordRunAsync("org-a", "wf-1", T0, completed: true, Ct);
        await Store.DeleteAsync("org-a", "wf-1", T0.AddMinutes(1), Ct);

        var created = await Store.UpsertAsync("org-a", "wf-1", new WorkflowUpdate("Back", null, null), T0.AddMinutes(2), Ct);

        Assert.Equal((WorkflowStatus.Active, WorkflowStep.Draft, "Back", "", 1, T0.AddMinutes(2)),
            (created.Status, created.Step, created.Name, created.Description, created.Version, created.CreatedAt));
    }

    [Fact]
    public async Task Delete_of_an_unknown_workflow_returns_null()
    {
        Assert.Null(await Store.DeleteAsync("org-a", "missing", T0, Ct));
        Assert.Null(await Store.GetAsync("org-a", "missing", Ct));
    }

    [Fact]
    public async Task Workflows_are_isolated_by_organization()
    {
        await Store.TryCreateAsync(NewWorkflow("org-a", "shared-id"), Ct);

        Assert.True(await Store.TryCreateAsync(NewWorkflow("org-b", "shared-id") with { Name = "B's" }, Ct));
        Assert.Null(await Store.DeleteAsync("org-c", "shared-id", T0, Ct));
        await Store.UpsertAsync("org-b", "shared-id", new WorkflowUpdate(null, null, DefinitionV2), T0, Ct);

        var a = await Store.GetAsync("org-a", "shared-id", Ct);
        Assert.Equal(("Sales leads", 1, WorkflowStatus.Active), (a!.Name, a.Version, a.Status));
        Assert.Equal("B's", (await Store.GetAsync("org-b", "shared-id", Ct))!.Name);
        Assert.Null(await Store.GetAsync("org-c", "shared-id", Ct));
        Assert.Null(await Store.GetDefinitionVersionAsync("org-a", "shared-id", 2, Ct));
        Assert.Single(await Store.ListAsync("org-a", Ct));
        Assert.Empty(await Store.ListAsync("org-c", Ct));
    }

    [Fact]
    public async Task List_leaves_out_deleted_workflows_newest_update_first()
    {
        await Store.TryCreateAsync(NewWorkflow("org-a", "old") with { UpdatedAt = T0 }, Ct);
        await Store.TryCreateAsync(NewWorkflow("org-a", "mid") with { UpdatedAt = T0.AddMinutes(1) }, Ct);
        await Store.TryCreateAsync(NewWorkflow("org-a", "gone") with { UpdatedAt = T0.AddMinutes(2) }, Ct);
        await Store.DeleteAsync("org-a", "gone", T0.AddMinutes(3), Ct);
        await Store.UpsertAsync("org-a", "old", new WorkflowUpdate("Touched", null, null), T0.AddMinutes(4), Ct);

        var list = await Store.ListAsync("org-a", Ct);

        Assert.Equal(["old", "mid"], list.Select(w => w.Id));
    }

    [Fact]
    public async Task Recording_runs_sets_the_last_run_date_and_the_completed_step()
    {
        await Store.TryCreateAsync(NewWorkflow("org-a", "wf-1"), Ct);

        await Store.RecordRunAsync("org-a", "wf-1", T0.AddHours(1), completed: false, Ct);
        var started = (await Store.GetAsync("org-a", "wf-1", Ct))!;
        await Store.RecordRunAsync("org-a", "wf-1", T0.AddHours(2), completed: true, Ct);
        var completed = (await Store.GetAsync("org-a", "wf-1", Ct))!;

        Assert.Equal((T0.AddHours(1), WorkflowStep.Draft), (started.LastRunDate, started.Step));
        Assert.Equal((T0.AddHours(1), WorkflowStep.Completed), (completed.LastRunDate, completed.Step));
    }

    private static WorkflowRecord NewWorkflow(string orgId, string id) =>
        new(id, orgId, "Sales leads", "Leads", WorkflowStatus.Active, WorkflowStep.Draft, T0, T0, null, 1, DefinitionV1);
}

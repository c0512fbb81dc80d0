using Enrichflow.Core.Storage;

namespace Enrichflow.Storage.Tests.Compliance;

/// <summary>
/// What every <see cref="IScheduleStore"/> backend must do. A schedule store shares its database with the workflows
/// its schedules name and the runs its claims add, so a backend gives all three ports of one fresh store.
/// </summary>
public abstract class ScheduleStoreCompliance : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(3);
    private const string Definition = """{"blocks":[{"block_id":"a"}],"edges":[]}""";

    private (IScheduleStore Schedules, IWorkflowStore Workflows, IRunStore Runs)? _stores;

    protected IScheduleStore Store => _stores?.Schedules ?? throw new InvalidOperationException("The store is not initialized.");

    private IWorkflowStore Workflows => _stores!.Value.Workflows;

    private IRunStore Runs => _stores!.Value.Runs;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Makes a fresh, empty, migrated store, as its schedule, workflow and run ports.</summary>
    protected abstract ValueTask<(IScheduleStore Schedules, IWorkflowStore Workflows, IRunStore Runs)> CreateStoresAsync(CancellationToken cancellationToken);

    public async ValueTask InitializeAsync()
    {
        _stores = await CreateStoresAsync(Ct);
        await Workflows.TryCreateAsync(new WorkflowRecord("wf", "org-a", "Weekly", "", WorkflowStatus.Active, WorkflowStep.Draft, T0, T0, null, 1, Definition), Ct);
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (_stores?.Schedules is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Created_schedule_reads_back_and_lists_by_workflow()
    {
        var schedule = NewSchedule() with { WebhookPayloadJson = """[{"a":1}]""", SpecsOverrideJson = """{"x":true}""" };

        Assert.True(await Store.CreateScheduleAsync(schedule, Ct));

        Assert.Equal(schedule, await Store.GetScheduleAsync("org-a", schedule.Id, Ct));
        Assert.Equal([schedule], await Store.ListSchedulesAsync("org-a", "wf", Ct));
        Assert.Equal([schedule], await Store.ListSchedulesAsync("org-a", null, Ct));
        Assert.Empty(await Store.ListSchedulesAsync("org-a", "other", Ct));
    }

    [Fact]
    public async Task A_schedule_of_an_unknown_workflow_is_not_created()
    {
        Assert.False(await Store.CreateScheduleAsync(NewSchedule() with { WorkflowId = "missing" }, Ct));
        Assert.False(await Store.CreateScheduleAsync(NewSchedule() with { OrgId = "org-b" }, Ct));
        Assert.Empty(await Store.ListSchedulesAsync("org-a", null, Ct));
    }

    [Fact]
    public async Task Schedules_are_isolated_by_organization()
    {
        var schedule = NewSchedule();
        await Store.CreateScheduleAsync(schedule, Ct);

        Assert.Null(await Store.GetScheduleAsync("org-b", schedule.Id, Ct));
        Assert.Empty(await Store.ListSchedulesAsync("org-b", null, Ct));
        Assert.Null(await Store.UpdateScheduleAsync(schedule with { OrgId = "org-b", Name = "taken" }, Ct));
        Assert.False(await Store.DeleteScheduleAsync("org-b", schedule.Id, Ct));
        Assert.Equal(schedule, await Store.GetScheduleAsync("org-a", schedule.Id, Ct));
    }

    [Fact]
    public async Task Update_replaces_the_editable_fields_and_keeps_the_last_run()
    {
        var schedule = NewSchedule();
        await Store.CreateScheduleAsync(schedule, Ct);
        var runId = Guid.NewGuid();
        await Store.ClaimDueTimeAsync(new ScheduleClaim(schedule.Id, T0.AddMinutes(1), T0.AddMinutes(2), runId, null), null, Ct);

        var edited = schedule with
        {
            Name = "Nightly", Description = "d", CronExpression = "0 3 * * *", TimeZone = "Europe/Berlin", IsActive = false,
            WebhookPayloadJson = "{}", SpecsOverrideJson = "{}", NextRunAt = null, UpdatedAt = T0.AddHours(1),
        };
        var updated = await Store.UpdateScheduleAsync(edited, Ct);

        Assert.Equal(edited with { LastRunAt = T0.AddMinutes(1), LastRunId = runId }, updated);
        Assert.Equal(updated, await Store.GetScheduleAsync("org-a", schedule.Id, Ct));
    }

    [Fact]
    public async Task Delete_removes_the_schedule()
    {
        var schedule = NewSchedule();
        await Store.CreateScheduleAsync(schedule, Ct);

        Assert.True(await Store.DeleteScheduleAsync("org-a", schedule.Id, Ct));
        Assert.Null(await Store.GetScheduleAsync("org-a", schedule.Id, Ct));
        Assert.False(await Store.DeleteScheduleAsync("org-a", schedule.Id, Ct));
    }

    [Fact]
    public async Task Deleting_the_workflow_deletes_its_schedules()
    {
        var schedule = NewSchedule();
        await Store.CreateScheduleAsync(schedule, Ct);

        await Workflows.DeleteAsync("org-a", "wf", T0, Ct);

        Assert.Null(await Store.GetScheduleAsync("org-a", schedule.Id, Ct));
        Assert.Empty(await Store.ListDueSchedulesAsync(T0.AddDays(1), 10, Ct));
    }

    [Fact]
    public async Task Due_schedules_are_the_active_ones_at_or_before_now_earliest_first()
    {
        var later = NewSchedule() with { NextRunAt = T0.AddMinutes(2) };
        var sooner = NewSchedule() with { NextRunAt = T0.AddMinutes(1) };
        var off = NewSchedule() with { IsActive = false, NextRunAt = null };
        var future = NewSchedule() with { NextRunAt = T0.AddMinutes(9) };
        foreach (var schedule in new[] { later, sooner, off, future })
        {
            await Store.CreateScheduleAsync(schedule, Ct);
        }

        Assert.Equal([sooner.Id, later.Id], (await Store.ListDueSchedulesAsync(T0.AddMinutes(2), 10, Ct)).Select(s => s.Id));
        Assert.Equal([sooner.Id], (await Store.ListDueSchedulesAsync(T0.AddMinutes(2), 1, Ct)).Select(s => s.Id));
        Assert.Empty(await Store.ListDueSchedulesAsync(T0, 10, Ct));
        Assert.Equal(T0.AddMinutes(1), await Store.GetEarliestDueTimeAsync(Ct));
    }

    [Fact]
    public async Task No_active_schedule_has_no_earliest_due_time()
    {
        await Store.CreateScheduleAsync(NewSchedule() with { IsActive = false, NextRunAt = null }, Ct);

        Assert.Null(await Store.GetEarliestDueTimeAsync(Ct));
    }

    [Fact]
    public async Task A_due_time_is_claimed_once_and_its_run_is_recorded_with_it()
    {
        var schedule = NewSchedule();
        await Store.CreateScheduleAsync(schedule, Ct);
        var first = NewRun(schedule.Id);
        var second = NewRun(schedule.Id);

        Assert.True(await Store.ClaimDueTimeAsync(new ScheduleClaim(schedule.Id, T0.AddMinutes(1), T0.AddMinutes(2), first.Run.Id, null), first, Ct));
        Assert.False(await Store.ClaimDueTimeAsync(new ScheduleClaim(schedule.Id, T0.AddMinutes(1), T0.AddMinutes(2), second.Run.Id, null), second, Ct));

        var claimed = await Store.GetScheduleAsync("org-a", schedule.Id, Ct);
        Assert.Equal((T0.AddMinutes(2), T0.AddMinutes(1), first.Run.Id, (string?)null), (claimed!.NextRunAt, claimed.LastRunAt, claimed.LastRunId, claimed.LastError));
        Assert.Equal(first.Run, await Runs.GetRunAsync(first.Run.Id, Ct));
        Assert.Equal(schedule.Id, (await Runs.GetRunAsync(first.Run.Id, Ct))!.ScheduleId);
        Assert.Equal(first.Blocks, await Runs.GetRunBlocksAsync(first.Run.Id, Ct));
        Assert.Equal(new UnitCounts(1, 0, 0, 0), await Runs.CountUnitsAsync(first.Run.Id, Ct));
        Assert.Null(await Runs.GetRunAsync(second.Run.Id, Ct));
    }

    [Fact]
    public async Task A_claim_after_an_edit_of_the_due_time_adds_nothing()
    {
        var schedule = NewSchedule();
        await Store.CreateScheduleAsync(schedule, Ct);
        await Store.UpdateScheduleAsync(schedule with { NextRunAt = T0.AddMinutes(5) }, Ct);
        var run = NewRun(schedule.Id);

        Assert.False(await Store.ClaimDueTimeAsync(new ScheduleClaim(schedule.Id, T0.AddMinutes(1), T0.AddMinutes(2), run.Run.Id, null), run, Ct));

        Assert.Null(await Runs.GetRunAsync(run.Run.Id, Ct));
        Assert.Equal(T0.AddMinutes(5), (await Store.GetScheduleAsync("org-a", schedule.Id, Ct))!.NextRunAt);
    }

    [Fact]
    public async Task An_inactive_schedule_is_not_claimed()
    {
        var schedule = NewSchedule() with { IsActive = false };
        await Store.CreateScheduleAsync(schedule, Ct);

        Assert.False(await Store.ClaimDueTimeAsync(new ScheduleClaim(schedule.Id, T0.AddMinutes(1), T0.AddMinutes(2), null, null), null, Ct));
    }

    [Fact]
    public async Task A_claim_without_a_run_moves_the_due_time_and_keeps_the_reason()
    {
        var schedule = NewSchedule();
        await Store.CreateScheduleAsync(schedule, Ct);

        Assert.True(await Store.ClaimDueTimeAsync(new ScheduleClaim(schedule.Id, T0.AddMinutes(1), T0.AddMinutes(2), null, "no payload"), null, Ct));

        var claimed = await Store.GetScheduleAsync("org-a", schedule.Id, Ct);
        Assert.Equal((T0.AddMinutes(2), T0.AddMinutes(1), (Guid?)null, "no payload"), (claimed!.NextRunAt, claimed.LastRunAt, claimed.LastRunId, claimed.LastError));
    }

    private static ScheduleRecord NewSchedule() =>
        new(Guid.CreateVersion7(), "org-a", "wf", "Every minute", "", "* * * * *", "UTC", true, null, null, T0.AddMinutes(1), null, null, null, T0, T0);

    private static QueuedRun NewRun(Guid scheduleId)
    {
        var id = Guid.CreateVersion7();
        var run = new RunRecord(id, "org-a", "wf", "Weekly", 1, Definition, "{}", RunStatus.Queued, T0.AddMinutes(1), T0.AddMinutes(1), ScheduleId: scheduleId);
        return new QueuedRun(run, [new RunBlockRecord(id, "a", "webhook", 1, 0, BlockStatus.Pending, UpdatedAt: T0.AddMinutes(1))], [new UnitKey(id, UnitKind.Source, "a", 0, 0)]);
    }
}

using Enrichflow.Core.Storage;

namespace Enrichflow.Storage.Tests.Compliance;

/// <summary>
/// What every <see cref="IWebhookDeliveryStore"/> backend must do. The store is also the run store (the sweep for
/// undecided runs reads runs and their blocks), so a backend's subclass makes one object that is both.
/// </summary>
public abstract class WebhookDeliveryStoreCompliance : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new DateTimeOffset(2026, 2, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(1_234_567);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private IWebhookDeliveryStore? _store;

    protected IWebhookDeliveryStore Store => _store ?? throw new InvalidOperationException("The store is not initialized.");

    private IRunStore Runs => (IRunStore)Store;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Makes a fresh, empty store with its schema in place; it must implement <see cref="IRunStore"/> too.</summary>
    protected abstract ValueTask<IWebhookDeliveryStore> CreateStoreAsync(CancellationToken cancellationToken);

    public async ValueTask InitializeAsync() => _store = await CreateStoreAsync(Ct);

    public virtual async ValueTask DisposeAsync()
    {
        if (_store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    private static WebhookDeliveryRecord Delivery(Guid runId, string eventId, DateTimeOffset? due = null) =>
        new(eventId, runId, "org-a", "wf-1", "notify", "run.completed", "https://example.com/hook?token=1", 100,
            WebhookDeliveryStatus.Pending, 0, T0, due ?? T0);

    [Fact]
    public async Task Recorded_deliveries_read_back_and_recording_again_adds_nothing()
    {
        var run = Guid.CreateVersion7();
        var first = Delivery(run, "e1");

        Assert.Equal(2, await Store.RecordRunDeliveriesAsync(run, [first, Delivery(run, "e2")], T0, Ct));
        Assert.Equal(0, await Store.RecordRunDeliveriesAsync(run, [first with { Url = "https://other.example.com" }], T0, Ct));

        Assert.Equal(first, await Store.GetDeliveryAsync("e1", Ct));
        Assert.Equal(["e1", "e2"], (await Store.ListRunDeliveriesAsync(run, Ct)).Select(d => d.EventId).ToArray());
        Assert.Empty(await Store.ListRunDeliveriesAsync(Guid.CreateVersion7(), Ct));
        Assert.Null(await Store.GetDeliveryAsync("unknown", Ct));
    }

    [Fact]
    public async Task Claiming_leases_due_deliveries_once_earliest_first()
    {
        var run = Guid.CreateVersion7();
        await Store.RecordRunDeliveriesAsync(run, [Delivery(run, "late", T0.AddMinutes(5)), Delivery(run, "b", T0.AddSeconds(2)), Delivery(run, "a", T0.AddSeconds(1))], T0, Ct);

        Assert.Equal(["a"], (await Store.ClaimDueDeliveriesAsync(T0.AddSeconds(3), Lease, 1, Ct)).Select(d => d.EventId).ToArray());
        Assert.Equal(["b"], (await Store.ClaimDueDeliveriesAsync(T0.AddSeconds(3), Lease, 10, Ct)).Select(d => d.EventId).ToArray());
        Assert.Empty(await Store.ClaimDueDeliveriesAsync(T0.AddSeconds(4), Lease, 10, Ct));
        Assert.Equal(["a", "b"], (await Store.ClaimDueDeliveriesAsync(T0.AddSeconds(3) + Lease, Lease, 10, Ct)).Select(d => d.EventId).Order().ToArray());
        Assert.Equal(T0.AddSeconds(3) + Lease + Lease, await Store.NextDeliveryDueAsync(Ct));
    }

    [Fact]
    public async Task An_attempt_is_recorded_once_and_moves_the_delivery_on()
    {
        var run = Guid.CreateVersion7();
        await Store.RecordRunDeliveriesAsync(run, [Delivery(run, "e")], T0, Ct);
        await Store.ClaimDueDeliveriesAsync(T0, Lease, 10, Ct);

        var first = new WebhookAttemptRecord("e", 1, T0, TimeSpan.FromMilliseconds(12.5), 500, null);
        await Store.RecordAttemptAsync(first, WebhookDeliveryOutcome.Retry(T0.AddSeconds(10), "HTTP 500"), Ct);
        await Store.RecordAttemptAsync(first, WebhookDeliveryOutcome.Delivered(T0.AddSeconds(1)), Ct);

        var pending = (await Store.GetDeliveryAsync("e", Ct))!;
        Assert.Equal((WebhookDeliveryStatus.Pending, 1, T0.AddSeconds(10), "HTTP 500"), (pending.Status, pending.AttemptCount, pending.NextAttemptAt, pending.LastError));
        Assert.Equal(T0.AddSeconds(10), await Store.NextDeliveryDueAsync(Ct));
        Assert.Equal(["e"], (await Store.ClaimDueDeliveriesAsync(T0.AddSeconds(10), Lease, 10, Ct)).Select(d => d.EventId).ToArray());

        var second = new WebhookAttemptRecord("e", 2, T0.AddSeconds(10), TimeSpan.FromSeconds(10), null, "no answer within 10 s");
        await Store.RecordAttemptAsync(second, WebhookDeliveryOutcome.Failed(T0.AddSeconds(20), "gave up"), Ct);

        var failed = (await Store.GetDeliveryAsync("e", Ct))!;
        Assert.Equal((WebhookDeliveryStatus.Failed, 2, T0.AddSeconds(20), "gave up"), (failed.Status, failed.AttemptCount, failed.CompletedAt, failed.LastError));
        Assert.Null(await Store.NextDeliveryDueAsync(Ct));
        Assert.Empty(await Store.ClaimDueDeliveriesAsync(T0.AddDays(1), Lease, 10, Ct));
        Assert.Equal([first, second], await Store.ListRunAttemptsAsync(run, Ct));
    }

    [Fact]
    public async Task Released_leases_make_a_delivery_claimable_again_at_once()
    {
        var run = Guid.CreateVersion7();
        await Store.RecordRunDeliveriesAsync(run, [Delivery(run, "a"), Delivery(run, "b")], T0, Ct);
        Assert.Equal(2, (await Store.ClaimDueDeliveriesAsync(T0, Lease, 10, Ct)).Count);

        await Store.ReleaseDeliveryAsync("a", Ct);
        Assert.Equal(["a"], (await Store.ClaimDueDeliveriesAsync(T0, Lease, 10, Ct)).Select(d => d.EventId).ToArray());

        await Store.ReleaseAllDeliveryLeasesAsync(Ct);
        Assert.Equal(2, (await Store.ClaimDueDeliveriesAsync(T0, Lease, 10, Ct)).Count);
    }

    [Fact]
    public async Task Undecided_ended_runs_are_those_with_the_block_that_ended_in_the_window_and_were_never_decided()
    {
        var undecided = await EndedRunAsync("outgoing_webhook", RunStatus.Completed, T0);
        var decided = await EndedRunAsync("outgoing_webhook", RunStatus.Failed, T0);
        await Store.RecordRunDeliveriesAsync(decided, [], T0, Ct);
        await EndedRunAsync("transform", RunStatus.Completed, T0);
        await EndedRunAsync("outgoing_webhook", RunStatus.Completed, T0.AddHours(-30));
        var running = await EndedRunAsync("outgoing_webhook", RunStatus.Running, T0);

        var found = await Store.ListUndecidedEndedRunsAsync("outgoing_webhook", T0.AddHours(-24), T0.AddMinutes(1), 100, Ct);

        Assert.Equal([undecided], found);
        Assert.DoesNotContain(running, found);
    }

    private async Task<Guid> EndedRunAsync(string blockName, RunStatus status, DateTimeOffset endedAt)
    {
        var run = new RunRecord(Guid.CreateVersion7(), "org-a", "wf-1", "Workflow", 1, """{"blocks":[]}""", """{"result_formats":["csv"]}""",
            RunStatus.Queued, endedAt, endedAt);
        await Runs.CreateRunAsync(run, [new RunBlockRecord(run.Id, "b", blockName, 1, 0, BlockStatus.Pending)], Ct);
        await Runs.TransitionRunAsync(run.Id, [RunStatus.Queued], RunStatus.Running, endedAt, null, null, Ct);
        if (status != RunStatus.Running)
        {
            await Runs.TransitionRunAsync(run.Id, [RunStatus.Running], status, endedAt, null, null, Ct);
        }

        return run.Id;
    }
}

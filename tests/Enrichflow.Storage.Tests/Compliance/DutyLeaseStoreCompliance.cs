using Enrichflow.Core.Storage;

namespace Enrichflow.Storage.Tests.Compliance;

/// <summary>
/// What every <see cref="IDutyLeaseStore"/> backend must do. Expiry is by the backend's own clock (the server's for
/// PostgreSQL), so the tests that need a lease to run out give it a short time to live and wait until the store
/// itself says nobody holds it.
/// </summary>
public abstract class DutyLeaseStoreCompliance : IAsyncLifetime
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(300);

    private IDutyLeaseStore? _store;

    protected IDutyLeaseStore Store => _store ?? throw new InvalidOperationException("The store is not initialized.");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Makes a fresh, empty store with its schema in place.</summary>
    protected abstract ValueTask<IDutyLeaseStore> CreateStoreAsync(CancellationToken cancellationToken);

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
    public async Task A_free_duty_is_taken_and_then_held_exclusively()
    {
        Assert.Null(await Store.GetDutyAsync("scheduler", Ct));

        var lease = await Store.TryTakeDutyAsync("scheduler", "node-a", Long, Ct);

        Assert.NotNull(lease);
        Assert.Equal(("scheduler", "node-a"), (lease.Duty, lease.Holder));
        Assert.Null(await Store.TryTakeDutyAsync("scheduler", "node-b", Long, Ct));
        Assert.Equal("node-a", (await Store.GetDutyAsync("scheduler", Ct))?.Holder);
        // Another duty is another lease.
        Assert.Equal("node-b", (await Store.TryTakeDutyAsync("retention", "node-b", Long, Ct))?.Holder);
    }

    [Fact]
    public async Task Taking_a_duty_one_holds_already_extends_it_under_the_same_epoch()
    {
        var first = await Store.TryTakeDutyAsync("scheduler", "node-a", Short, Ct);

        var again = await Store.TryTakeDutyAsync("scheduler", "node-a", Long, Ct);

        Assert.NotNull(first);
        Assert.NotNull(again);
        Assert.Equal(first.Epoch, again.Epoch);
        Assert.True(again.ExpiresAt > first.ExpiresAt);
        Assert.Null(await Store.TryTakeDutyAsync("scheduler", "node-b", Long, Ct));
    }

    [Fact]
    public async Task An_expired_lease_is_taken_over_under_a_new_epoch()
    {
        var first = await Store.TryTakeDutyAsync("webhooks", "node-a", Short, Ct);
        Assert.NotNull(first);

        await WaitUntilFreeAsync("webhooks");
        var taken = await Store.TryTakeDutyAsync("webhooks", "node-b", Long, Ct);

        Assert.NotNull(taken);
        Assert.Equal("node-b", taken.Holder);
        Assert.True(taken.Epoch > first.Epoch);
        Assert.Equal(taken, await Store.GetDutyAsync("webhooks", Ct));
    }

    [Fact]
    public async Task A_holder_whose_lease_was_taken_over_can_neither_renew_nor_release_it()
    {
        var stale = await Store.TryTakeDutyAsync("webhooks", "node-a", Short, Ct);
        Assert.NotNull(stale);
        await WaitUntilFreeAsync("webhooks");
        var current = await Store.TryTakeDutyAsync("webhooks", "node-b", Long, Ct);
        Assert.NotNull(current);

        Assert.Null(await Store.RenewDutyAsync(stale, Long, Ct));
        await Store.ReleaseDutyAsync(stale, Ct);

        Assert.Equal("node-b", (await Store.GetDutyAsync("webhooks", Ct))?.Holder);
        Assert.Null(await Store.TryTakeDutyAsync("webhooks", "node-a", Long, Ct));
        var renewed = await Store.RenewDutyAsync(current, Long, Ct);
        Assert.NotNull(renewed);
        Assert.Equal(current.Epoch, renewed.Epoch);
    }

    [Fact]
    public async Task Taking_over_after_expiry_fences_out_the_old_holder_even_when_it_was_the_same_name_before()
    {
        // node-a held it, node-b took it over, node-a took it back: node-a's first lease is still stale.
        var first = await Store.TryTakeDutyAsync("sweep", "node-a", Short, Ct);
        await WaitUntilFreeAsync("sweep");
        var second = await Store.TryTakeDutyAsync("sweep", "node-b", Short, Ct);
        await WaitUntilFreeAsync("sweep");
        var third = await Store.TryTakeDutyAsync("sweep", "node-a", Long, Ct);

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.NotNull(third);
        Assert.True(first.Epoch < second.Epoch && second.Epoch < third.Epoch);
        Assert.Null(await Store.RenewDutyAsync(first, Long, Ct));
        Assert.NotNull(await Store.RenewDutyAsync(third, Long, Ct));
    }

    [Fact]
    public async Task A_lease_that_expired_untaken_can_still_be_renewed_by_its_holder()
    {
        var lease = await Store.TryTakeDutyAsync("sweep", "node-a", Short, Ct);
        Assert.NotNull(lease);
        await WaitUntilFreeAsync("sweep");

        var renewed = await Store.RenewDutyAsync(lease, Long, Ct);

        Assert.NotNull(renewed);
        Assert.Equal(lease.Epoch, renewed.Epoch);
        Assert.Equal("node-a", (await Store.GetDutyAsync("sweep", Ct))?.Holder);
        Assert.Null(await Store.TryTakeDutyAsync("sweep", "node-b", Long, Ct));
    }

    [Fact]
    public async Task A_released_duty_can_be_taken_by_another_holder_at_once()
    {
        var lease = await Store.TryTakeDutyAsync("scheduler", "node-a", Long, Ct);
        Assert.NotNull(lease);

        await Store.ReleaseDutyAsync(lease, Ct);

        Assert.Null(await Store.GetDutyAsync("scheduler", Ct));
        Assert.Null(await Store.RenewDutyAsync(lease, Long, Ct));
        var taken = await Store.TryTakeDutyAsync("scheduler", "node-b", Long, Ct);
        Assert.NotNull(taken);
        Assert.True(taken.Epoch > lease.Epoch);
    }

    [Fact]
    public async Task Releasing_every_duty_frees_them_all_for_the_next_taker()
    {
        Assert.NotNull(await Store.TryTakeDutyAsync("scheduler", "node-a", Long, Ct));
        Assert.NotNull(await Store.TryTakeDutyAsync("webhooks", "node-b", Long, Ct));

        await Store.ReleaseAllDutiesAsync(Ct);

        Assert.Null(await Store.GetDutyAsync("scheduler", Ct));
        Assert.Null(await Store.GetDutyAsync("webhooks", Ct));
        Assert.Equal("node-c", (await Store.TryTakeDutyAsync("scheduler", "node-c", Long, Ct))?.Holder);
        Assert.Equal("node-c", (await Store.TryTakeDutyAsync("webhooks", "node-c", Long, Ct))?.Holder);
    }

    [Fact]
    public async Task Of_concurrent_takers_of_a_free_duty_exactly_one_wins()
    {
        for (var round = 0; round < 5; round++)
        {
            var duty = $"race-{round}";
            using var start = new ManualResetEventSlim();
            var takers = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
            {
                start.Wait(Ct);
                return await Store.TryTakeDutyAsync(duty, $"node-{i}", Long, Ct);
            }, Ct)).ToList();
            start.Set();
            var leases = await Task.WhenAll(takers);

            var winner = Assert.Single(leases, l => l is not null);
            Assert.Equal(winner, await Store.GetDutyAsync(duty, Ct));
        }
    }

    [Fact]
    public async Task Of_concurrent_takers_of_an_expired_duty_exactly_one_wins()
    {
        Assert.NotNull(await Store.TryTakeDutyAsync("race", "node-old", Short, Ct));
        await WaitUntilFreeAsync("race");
        using var start = new ManualResetEventSlim();
        var takers = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            start.Wait(Ct);
            return await Store.TryTakeDutyAsync("race", $"node-{i}", Long, Ct);
        }, Ct)).ToList();
        start.Set();
        var leases = await Task.WhenAll(takers);

        var winner = Assert.Single(leases, l => l is not null);
        Assert.Equal(winner!.Holder, (await Store.GetDutyAsync("race", Ct))?.Holder);
    }

    /// <summary>Waits until the store's own clock has passed the duty's lease (the store says nobody holds it).</summary>
    private async Task WaitUntilFreeAsync(string duty)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (await Store.GetDutyAsync(duty, timeout.Token) is not null)
        {
            await Task.Delay(50, timeout.Token);
        }
    }
}

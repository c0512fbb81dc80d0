using System.Diagnostics;
using Enrichflow.Core.Storage;

namespace Enrichflow.Storage.Tests.Compliance;

/// <summary>
/// What every <see cref="IProviderQuotaStore"/> backend must do: the guarantees that keep a cluster of nodes within a
/// provider's limits. Windows and leases are short here so the tests run on the store's real clock.
/// </summary>
public abstract class ProviderQuotaStoreCompliance : IAsyncLifetime
{
    private IProviderQuotaStore? _store;

    protected IProviderQuotaStore Store => _store ?? throw new InvalidOperationException("The store is not initialized.");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Makes a fresh, empty, migrated store.</summary>
    protected abstract ValueTask<IProviderQuotaStore> CreateStoreAsync(CancellationToken cancellationToken);

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
    public async Task Grants_stop_at_the_limit_and_say_when_to_ask_again()
    {
        var ask = new RequestQuotaAsk("p", Wanted: 4, Limit: 10, Window: TimeSpan.FromSeconds(30), TokenLife: TimeSpan.FromSeconds(30));

        int[] granted = [(await Store.TakeRequestsAsync(ask, Ct)).Granted, (await Store.TakeRequestsAsync(ask, Ct)).Granted, (await Store.TakeRequestsAsync(ask, Ct)).Granted];
        var refused = await Store.TakeRequestsAsync(ask, Ct);

        Assert.Equal([4, 4, 2], granted);
        Assert.Equal(0, refused.Granted);
        Assert.InRange(refused.RetryAfter, TimeSpan.FromSeconds(50), RequestQuotaRule.AccountedWindow(ask));
    }

    [Fact]
    public async Task Concurrent_takers_together_never_get_more_than_the_limit()
    {
        var ask = new RequestQuotaAsk("p", Wanted: 3, Limit: 25, Window: TimeSpan.FromSeconds(30), TokenLife: TimeSpan.FromSeconds(30));

        var takers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            var mine = 0;
            for (var i = 0; i < 10; i++)
            {
                mine += (await Store.TakeRequestsAsync(ask, Ct)).Granted;
            }

            return mine;
        }, Ct));

        Assert.Equal(25, (await Task.WhenAll(takers)).Sum());
    }

    [Fact]
    public async Task Grants_are_paced_a_little_under_the_limit_with_a_burst_of_one_token_life()
    {
        // 600 per minute paced at 98%: one grant per 102 ms, and a token life's worth (1 s) at once.
        var ask = new RequestQuotaAsk("p", Wanted: 1000, Limit: 600, Window: TimeSpan.FromMinutes(1), TokenLife: TimeSpan.FromSeconds(1));
        var interval = ask.Window / (ask.Limit * RequestQuotaRule.PacingShare);
        var clock = Stopwatch.StartNew();

        var first = await Store.TakeRequestsAsync(ask, Ct);
        var total = first.Granted;
        for (var i = 0; i < 5; i++)
        {
            total += (await Store.TakeRequestsAsync(ask with { Wanted = 5 }, Ct)).Granted;
        }

        var elapsed = clock.Elapsed;
        Assert.Equal((int)(ask.TokenLife / interval) + 1, first.Granted);
        Assert.InRange(total, first.Granted, (int)((elapsed + ask.TokenLife) / interval) + 1);
    }

    [Fact]
    public async Task A_hold_refuses_every_grant_of_that_provider_until_it_ends()
    {
        var ask = new RequestQuotaAsk("p", Wanted: 1, Limit: 100, Window: TimeSpan.FromMinutes(1), TokenLife: TimeSpan.FromSeconds(1));
        await Store.HoldRequestsAsync("p", TimeSpan.FromSeconds(20), Ct);
        await Store.HoldRequestsAsync("p", TimeSpan.FromSeconds(5), Ct);

        var held = await Store.TakeRequestsAsync(ask, Ct);
        var other = await Store.TakeRequestsAsync(ask with { Provider = "q" }, Ct);

        Assert.Equal(0, held.Granted);
        Assert.InRange(held.RetryAfter, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(20));
        Assert.Equal(1, other.Granted);
    }

    [Fact]
    public async Task A_node_takes_the_free_slots_and_shrinks_to_an_even_share_when_another_wants_some()
    {
        var lease = TimeSpan.FromMinutes(1);
        var a = new SlotShareAsk("p", "a", InUse: 0, Wanted: 10, Limit: 10, lease);
        var b = a with { Node = "b" };

        var aFirst = await Store.ShareSlotsAsync(a, Ct);
        var bWhileFull = await Store.ShareSlotsAsync(b, Ct);
        var aWhileBusy = await Store.ShareSlotsAsync(a with { InUse = 10 }, Ct);
        var sharesWhileBusy = await Store.GetSlotSharesAsync("p", Ct);
        var aAfterCallsEnded = await Store.ShareSlotsAsync(a with { InUse = 4 }, Ct);
        var bAfter = await Store.ShareSlotsAsync(b, Ct);
        var shares = await Store.GetSlotSharesAsync("p", Ct);

        Assert.Equal(10, aFirst);
        Assert.Equal(0, bWhileFull);
        Assert.Equal(5, aWhileBusy);
        Assert.Equal(10, sharesWhileBusy.Single(share => share.Node == "a").Held);
        Assert.Equal(5, aAfterCallsEnded);
        Assert.Equal(5, bAfter);
        Assert.Equal(["a", "b"], shares.Select(share => share.Node));
        Assert.Equal(10, shares.Sum(share => share.Held));
    }

    [Fact]
    public async Task A_share_given_up_or_run_out_goes_to_the_other_nodes()
    {
        var a = new SlotShareAsk("p", "a", InUse: 0, Wanted: 8, Limit: 8, TimeSpan.FromSeconds(1));
        var b = new SlotShareAsk("p", "b", InUse: 0, Wanted: 8, Limit: 8, TimeSpan.FromMinutes(1));
        var c = b with { Node = "c" };

        Assert.Equal(8, await Store.ShareSlotsAsync(a, Ct));
        Assert.Equal(0, await Store.ShareSlotsAsync(b, Ct));
        await Task.Delay(TimeSpan.FromSeconds(1.5), Ct);
        var bAfterExpiry = await Store.ShareSlotsAsync(b, Ct);
        var aGone = await Store.GetSlotSharesAsync("p", Ct);
        Assert.Equal(0, await Store.ShareSlotsAsync(b with { Wanted = 0 }, Ct));
        var cAfterRelease = await Store.ShareSlotsAsync(c, Ct);

        Assert.Equal(8, bAfterExpiry);
        Assert.Equal(["b"], aGone.Select(share => share.Node));
        Assert.Equal(8, cAfterRelease);
        Assert.Equal(["c"], (await Store.GetSlotSharesAsync("p", Ct)).Select(share => share.Node));
    }

    [Fact]
    public async Task Concurrent_nodes_never_hold_more_slots_than_the_limit()
    {
        var nodes = Enumerable.Range(0, 6).Select(i => Task.Run(async () =>
        {
            var ask = new SlotShareAsk("p", $"n{i}", InUse: 0, Wanted: 5, Limit: 12, TimeSpan.FromMinutes(1));
            var allowed = 0;
            for (var round = 0; round < 5; round++)
            {
                allowed = await Store.ShareSlotsAsync(ask with { InUse = Math.Min(allowed, 5) }, Ct);
            }

            return allowed;
        }, Ct));

        await Task.WhenAll(nodes);
        Assert.InRange((await Store.GetSlotSharesAsync("p", Ct)).Sum(share => share.Held), 1, 12);
    }
}

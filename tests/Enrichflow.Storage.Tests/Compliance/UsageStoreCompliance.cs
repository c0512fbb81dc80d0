using Enrichflow.Core.Storage;

namespace Enrichflow.Storage.Tests.Compliance;

/// <summary>What every <see cref="IUsageStore"/> backend must do.</summary>
public abstract class UsageStoreCompliance : IAsyncLifetime
{
    private static readonly DateOnly Day1 = new(2025, 3, 1);
    private static readonly DateOnly Day2 = new(2025, 3, 2);
    private static readonly DateOnly Day3 = new(2025, 3, 3);

    private IUsageStore? _store;

    protected IUsageStore Store => _store ?? throw new InvalidOperationException("The store is not initialized.");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Makes a fresh, empty store with its schema in place.</summary>
    protected abstract ValueTask<IUsageStore> CreateStoreAsync(CancellationToken cancellationToken);

    public async ValueTask InitializeAsync() => _store = await CreateStoreAsync(Ct);

    public virtual async ValueTask DisposeAsync()
    {
        if (_store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>One paid call of each kind and one cache hit: 10 calls, 6 hits, 3 misses, 1 failure, 4 cache hits, 2.5 credits.</summary>
    private static UsageIncrement Some(Guid run, string block, string provider, DateOnly day, string org = "org-a") =>
        new(org, run, block, provider, day, Calls: 10, Hits: 6, Misses: 3, Failures: 1, CacheHits: 4, Credits: 2.5);

    private static UsageTotals Totals(string provider, string? block, DateOnly? day, long times) =>
        new(provider, block, day, 10 * times, 6 * times, 3 * times, 1 * times, 4 * times, 2.5 * times);

    [Fact]
    public async Task Increments_to_the_same_run_block_provider_and_day_add_up()
    {
        var run = Guid.NewGuid();
        await Store.AddUsageAsync([Some(run, "find", "hunter", Day1), Some(run, "find", "hunter", Day1)], Ct);
        await Store.AddUsageAsync([Some(run, "find", "hunter", Day1)], Ct);
        await Store.AddUsageAsync([new UsageIncrement("org-a", run, "find", "hunter", Day1, CacheHits: 5)], Ct);

        var totals = Assert.Single(await Store.GetRunUsageAsync(run, Ct));
        Assert.Equal(Totals("hunter", "find", null, 3) with { CacheHits = 17 }, totals);
    }

    [Fact]
    public async Task Resumed_and_resubmitted_jobs_and_calls_not_retried_add_up_in_every_total()
    {
        var run = Guid.NewGuid();
        await Store.AddUsageAsync(
        [
            new UsageIncrement("org-a", run, "enrich", "s64", Day1, Calls: 1, Hits: 1, JobsResumed: 1),
            new UsageIncrement("org-a", run, "enrich", "s64", Day1, Calls: 1, Hits: 1, JobsResubmitted: 1, Credits: 1),
            new UsageIncrement("org-a", run, "enrich", "s64", Day2, Calls: 1, Failures: 1, NotRetried: 1),
        ], Ct);
        await Store.AddUsageAsync([new UsageIncrement("org-a", run, "enrich", "s64", Day2, JobsResumed: 2)], Ct);

        var expected = new UsageTotals("s64", "enrich", null, 3, 2, 0, 1, 0, 1, JobsResumed: 3, JobsResubmitted: 1, NotRetried: 1);
        Assert.Equal(expected, Assert.Single(await Store.GetRunUsageAsync(run, Ct)));
        Assert.Equal(expected with { BlockId = null }, await Store.GetProviderTotalsAsync("org-a", "s64", Ct));
        Assert.Equal(
            [expected with { BlockId = null, Day = Day1, Calls = 2, Failures = 0, JobsResumed = 1, NotRetried = 0 },
             expected with { BlockId = null, Day = Day2, Calls = 1, Hits = 0, Credits = 0, JobsResumed = 2, JobsResubmitted = 0 }],
            await Store.GetOrgUsageAsync("org-a", Day1, Day2, Ct));
    }

    [Fact]
    public async Task Run_totals_are_summed_over_days_per_block_and_provider_in_order()
    {
        var (run, other) = (Guid.NewGuid(), Guid.NewGuid());
        await Store.AddUsageAsync(
        [
            Some(run, "phone", "apollo", Day2),
            Some(run, "email", "hunter", Day1),
            Some(run, "email", "hunter", Day3),
            Some(run, "email", "apollo", Day1),
            Some(run, "phone", "apollo", Day1),
            Some(run, "phone", "apollo", Day1),
            Some(other, "email", "hunter", Day1),
        ], Ct);

        Assert.Equal(
            [Totals("apollo", "email", null, 1), Totals("hunter", "email", null, 2), Totals("apollo", "phone", null, 3)],
            await Store.GetRunUsageAsync(run, Ct));
        Assert.Equal([Totals("hunter", "email", null, 1)], await Store.GetRunUsageAsync(other, Ct));
    }

    [Fact]
    public async Task Org_totals_are_per_day_and_provider_within_the_inclusive_range_and_exclude_other_orgs()
    {
        var (run, other) = (Guid.NewGuid(), Guid.NewGuid());
        await Store.AddUsageAsync(
        [
            Some(run, "email", "hunter", Day1.AddDays(-1)),
            Some(run, "email", "hunter", Day1),
            Some(run, "phone", "hunter", Day1),
            Some(other, "email", "hunter", Day1),
            Some(run, "email", "apollo", Day1),
            Some(run, "email", "hunter", Day2),
            Some(run, "email", "hunter", Day3),
            Some(run, "email", "hunter", Day3.AddDays(1)),
            Some(Guid.NewGuid(), "email", "hunter", Day2, org: "org-b"),
            Some(Guid.NewGuid(), "email", "zoominfo", Day2, org: "org-b"),
        ], Ct);

        Assert.Equal(
            [Totals("apollo", null, Day1, 1), Totals("hunter", null, Day1, 3), Totals("hunter", null, Day2, 1), Totals("hunter", null, Day3, 1)],
            await Store.GetOrgUsageAsync("org-a", Day1, Day3, Ct));
        Assert.Equal([Totals("hunter", null, Day2, 1)], await Store.GetOrgUsageAsync("org-a", Day2, Day2, Ct));
        Assert.Equal(
            [Totals("hunter", null, Day2, 1), Totals("zoominfo", null, Day2, 1)],
            await Store.GetOrgUsageAsync("org-b", Day1, Day3, Ct));
    }

    [Fact]
    public async Task Provider_totals_cover_every_run_block_and_day_of_the_org_only()
    {
        await Store.AddUsageAsync(
        [
            Some(Guid.NewGuid(), "email", "hunter", Day1),
            Some(Guid.NewGuid(), "phone", "hunter", Day2),
            Some(Guid.NewGuid(), "email", "hunter", new DateOnly(2019, 12, 31)),
            Some(Guid.NewGuid(), "email", "apollo", Day1),
            Some(Guid.NewGuid(), "email", "hunter", Day1, org: "org-b"),
        ], Ct);

        Assert.Equal(Totals("hunter", null, null, 3), await Store.GetProviderTotalsAsync("org-a", "hunter", Ct));
        Assert.Equal(Totals("apollo", null, null, 1), await Store.GetProviderTotalsAsync("org-a", "apollo", Ct));
        Assert.Equal(Totals("hunter", null, null, 1), await Store.GetProviderTotalsAsync("org-b", "hunter", Ct));
    }

    [Fact]
    public async Task Without_usage_the_lists_are_empty_and_provider_totals_are_zero()
    {
        var run = Guid.NewGuid();
        await Store.AddUsageAsync([], Ct);
        await Store.AddUsageAsync([Some(run, "email", "hunter", Day2)], Ct);

        Assert.Empty(await Store.GetRunUsageAsync(Guid.NewGuid(), Ct));
        Assert.Empty(await Store.GetOrgUsageAsync("org-a", Day3, Day3.AddDays(30), Ct));
        Assert.Empty(await Store.GetOrgUsageAsync("org-b", Day1, Day3, Ct));
        Assert.Equal(new UsageTotals("apollo", null, null, 0, 0, 0, 0, 0, 0), await Store.GetProviderTotalsAsync("org-a", "apollo", Ct));
        Assert.Equal(new UsageTotals("hunter", null, null, 0, 0, 0, 0, 0, 0), await Store.GetProviderTotalsAsync("org-b", "hunter", Ct));
    }

    [Fact]
    public async Task Concurrent_increments_are_never_lost()
    {
        var run = Guid.NewGuid();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 25; i++)
            {
                await Store.AddUsageAsync([Some(run, "email", "hunter", Day1), Some(run, "email", "apollo", Day2)], Ct);
            }
        }, Ct)));

        Assert.Equal([Totals("apollo", "email", null, 200), Totals("hunter", "email", null, 200)], await Store.GetRunUsageAsync(run, Ct));
    }
}

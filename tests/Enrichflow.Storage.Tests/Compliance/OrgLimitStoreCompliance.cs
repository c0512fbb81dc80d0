using Enrichflow.Core.Storage;

namespace Enrichflow.Storage.Tests.Compliance;

/// <summary>
/// What every <see cref="IOrgLimitStore"/> backend must do. An organization's footprint is read from its usage, runs,
/// uploads and result files, so a backend gives those ports of one fresh store too.
/// </summary>
public abstract class OrgLimitStoreCompliance : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new DateTimeOffset(2025, 3, 10, 12, 0, 0, TimeSpan.Zero).AddTicks(7);
    private static readonly DateOnly Today = new(2025, 3, 10);

    private (IOrgLimitStore Limits, IRunStore Runs, IAccountStore Accounts, IUsageStore Usage)? _stores;

    protected IOrgLimitStore Store => _stores?.Limits ?? throw new InvalidOperationException("The store is not initialized.");

    private IRunStore Runs => _stores!.Value.Runs;

    private IAccountStore Accounts => _stores!.Value.Accounts;

    private IUsageStore Usage => _stores!.Value.Usage;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Makes a fresh, empty, migrated store, as its limit, run, account and usage ports.</summary>
    protected abstract ValueTask<(IOrgLimitStore Limits, IRunStore Runs, IAccountStore Accounts, IUsageStore Usage)> CreateStoresAsync(CancellationToken cancellationToken);

    public async ValueTask InitializeAsync() => _stores = await CreateStoresAsync(Ct);

    public virtual async ValueTask DisposeAsync()
    {
        if (_stores?.Limits is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task An_organization_without_limits_has_none()
    {
        Assert.Null(await Store.GetOrgLimitsAsync("org-a", Ct));
        Assert.False(await Store.ClearOrgLimitsAsync("org-a", Ct));
    }

    [Fact]
    public async Task Limits_read_back_as_set_are_replaced_whole_and_cleared()
    {
        var limits = new OrgLimits("org-a", CreditsPerDay: 12.5, CreditsPerMonth: 300, MaxRunningRuns: 4, MaxQueuedRuns: 2, MaxStoredBytes: 5_000_000_000, UpdatedAt: T0);
        await Store.SetOrgLimitsAsync(limits, Ct);
        await Store.SetOrgLimitsAsync(new OrgLimits("org-b", MaxRunningRuns: 1, UpdatedAt: T0), Ct);
        Assert.Equal(limits, await Store.GetOrgLimitsAsync("org-a", Ct));

        var replaced = new OrgLimits("org-a", CreditsPerMonth: 10, UpdatedAt: T0.AddMinutes(1));
        await Store.SetOrgLimitsAsync(replaced, Ct);
        Assert.Equal(replaced, await Store.GetOrgLimitsAsync("org-a", Ct));

        Assert.True(await Store.ClearOrgLimitsAsync("org-a", Ct));
        Assert.Null(await Store.GetOrgLimitsAsync("org-a", Ct));
        Assert.Equal(1, (await Store.GetOrgLimitsAsync("org-b", Ct))!.MaxRunningRuns);
    }

    [Fact]
    public async Task Footprint_counts_credits_of_the_day_and_of_its_month_only_for_the_organization()
    {
        var run = Guid.NewGuid();
        await Usage.AddUsageAsync(
        [
            new UsageIncrement("org-a", run, "enrich", "s64", Today, Calls: 3, Credits: 3),
            new UsageIncrement("org-a", run, "enrich", "other", Today, Calls: 1, Credits: 0.5),
            new UsageIncrement("org-a", run, "enrich", "s64", Today.AddDays(-9), Calls: 2, Credits: 2),
            new UsageIncrement("org-a", run, "enrich", "s64", Today.AddDays(-10), Calls: 7, Credits: 7),
            new UsageIncrement("org-a", run, "enrich", "s64", Today.AddDays(1), Calls: 1, Credits: 1),
            new UsageIncrement("org-b", Guid.NewGuid(), "enrich", "s64", Today, Calls: 5, Credits: 5),
        ], Ct);

        var footprint = await Store.GetOrgFootprintAsync("org-a", Today, Ct);
        Assert.Equal(3.5, footprint.CreditsToday);
        Assert.Equal(5.5, footprint.CreditsThisMonth);
        Assert.Equal(new OrgFootprint(0, 0, 0, 0, 0), await Store.GetOrgFootprintAsync("org-c", Today, Ct));
    }

    [Fact]
    public async Task Footprint_counts_queued_and_running_runs_of_the_organization()
    {
        foreach (var (org, status) in new[]
        {
            ("org-a", RunStatus.Queued), ("org-a", RunStatus.Queued), ("org-a", RunStatus.Running), ("org-a", RunStatus.Paused),
            ("org-a", RunStatus.Completed), ("org-a", RunStatus.Failed), ("org-b", RunStatus.Running),
        })
        {
            await Runs.CreateRunAsync(NewRun(org, status), [], Ct);
        }

        var footprint = await Store.GetOrgFootprintAsync("org-a", Today, Ct);
        Assert.Equal(2, footprint.QueuedRuns);
        Assert.Equal(1, footprint.RunningRuns);
    }

    [Fact]
    public async Task Stored_bytes_are_uploads_plus_result_files_with_a_shared_blob_counted_once()
    {
        var run = NewRun("org-a", RunStatus.Completed);
        await Runs.CreateRunAsync(run, [], Ct);
        await Runs.PutResultFileAsync(new ResultFileRecord(run.Id, "clean", 1, ResultFormat.Csv, "1_clean.csv", $"runs/{run.Id}/1_clean.csv", 10, 1_000, T0, null), Ct);
        await Runs.PutResultFileAsync(new ResultFileRecord(run.Id, "clean", 1, ResultFormat.Ndjson, "1_clean.ndjson", $"runs/{run.Id}/1_clean.ndjson", 10, 2_000, T0, null), Ct);
        await Accounts.AddUploadAsync(new UploadRecord(Guid.NewGuid(), "org-a", "leads.csv", "uploads/org-a/1", 30_000, T0), Ct);
        // An interactive block's output: an upload handle on a result file's blob.
        await Accounts.AddUploadAsync(new UploadRecord(Guid.NewGuid(), "org-a", "1_clean.ndjson", $"runs/{run.Id}/1_clean.ndjson", 2_000, T0), Ct);
        await Accounts.AddUploadAsync(new UploadRecord(Guid.NewGuid(), "org-b", "other.csv", "uploads/org-b/1", 400_000, T0), Ct);

        Assert.Equal(33_000, (await Store.GetOrgFootprintAsync("org-a", Today, Ct)).StoredBytes);
        Assert.Equal(400_000, (await Store.GetOrgFootprintAsync("org-b", Today, Ct)).StoredBytes);
    }

    private static RunRecord NewRun(string org, RunStatus status) =>
        new(Guid.CreateVersion7(), org, "wf", "Workflow", 1, """{"blocks":[]}""", "{}", status, T0, T0);
}

using Enrichflow.Core.Storage;

namespace Enrichflow.Storage.Tests.Compliance;

/// <summary>What every <see cref="IProviderJobStore"/> backend must do.</summary>
public abstract class ProviderJobStoreCompliance : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2025, 5, 6, 7, 8, 9, 123, TimeSpan.Zero);
    private static readonly Guid Run = Guid.Parse("0190a0b0-0000-7000-8000-000000000001");

    private IProviderJobStore? _store;

    protected IProviderJobStore Store => _store ?? throw new InvalidOperationException("The store is not initialized.");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Makes a fresh, empty store with its schema in place.</summary>
    protected abstract ValueTask<IProviderJobStore> CreateStoreAsync(CancellationToken cancellationToken);

    public async ValueTask InitializeAsync() => _store = await CreateStoreAsync(Ct);

    public virtual async ValueTask DisposeAsync()
    {
        if (_store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    private static ProviderJob Job(string key, string task = "task_1", string org = "org-a", string provider = "s64", DateTimeOffset? submittedAt = null) =>
        new(org, provider, key, task, Run, submittedAt ?? T0);

    [Fact]
    public async Task A_recorded_job_reads_back_as_it_was_written()
    {
        var job = new ProviderJob("org-a", "s64", "5f1e…", "8c7d2f9a-task", Run, new DateTimeOffset(2025, 5, 6, 9, 8, 9, 123, TimeSpan.FromHours(2)).AddTicks(4567));
        await Store.RecordJobAsync(job, Ct);

        var read = await Store.FindJobAsync("org-a", "s64", "5f1e…", Ct);

        Assert.Equal(job, read);
        Assert.Equal(job.SubmittedAt.UtcTicks, read!.SubmittedAt.UtcTicks);
    }

    [Fact]
    public async Task A_request_without_a_recorded_job_finds_none()
    {
        await Store.RecordJobAsync(Job("k1"), Ct);

        Assert.Null(await Store.FindJobAsync("org-a", "s64", "k2", Ct));
    }

    [Fact]
    public async Task Recording_a_job_for_the_same_request_again_replaces_it()
    {
        await Store.RecordJobAsync(Job("k1", task: "task_1"), Ct);
        var again = Job("k1", task: "task_2", submittedAt: T0.AddMinutes(3)) with { RunId = Guid.NewGuid() };
        await Store.RecordJobAsync(again, Ct);

        Assert.Equal(again, await Store.FindJobAsync("org-a", "s64", "k1", Ct));
    }

    [Fact]
    public async Task Organizations_and_providers_each_have_their_own_jobs()
    {
        await Store.RecordJobAsync(Job("k1", task: "a-s64", org: "org-a", provider: "s64"), Ct);
        await Store.RecordJobAsync(Job("k1", task: "a-other", org: "org-a", provider: "other"), Ct);
        await Store.RecordJobAsync(Job("k1", task: "b-s64", org: "org-b", provider: "s64"), Ct);

        Assert.Equal("a-s64", (await Store.FindJobAsync("org-a", "s64", "k1", Ct))!.TaskId);
        Assert.Equal("a-other", (await Store.FindJobAsync("org-a", "other", "k1", Ct))!.TaskId);
        Assert.Equal("b-s64", (await Store.FindJobAsync("org-b", "s64", "k1", Ct))!.TaskId);
        Assert.Null(await Store.FindJobAsync("org-b", "other", "k1", Ct));
    }

    [Fact]
    public async Task Forgetting_a_job_deletes_only_the_record_that_still_names_its_task()
    {
        await Store.RecordJobAsync(Job("k1", task: "task_1"), Ct);
        await Store.RecordJobAsync(Job("k2", task: "task_2"), Ct);
        await Store.RecordJobAsync(Job("k1", task: "task_1", org: "org-b"), Ct);

        Assert.False(await Store.ForgetJobAsync("org-a", "s64", "k1", "task_0", Ct));
        Assert.NotNull(await Store.FindJobAsync("org-a", "s64", "k1", Ct));

        Assert.True(await Store.ForgetJobAsync("org-a", "s64", "k1", "task_1", Ct));
        Assert.Null(await Store.FindJobAsync("org-a", "s64", "k1", Ct));
        Assert.NotNull(await Store.FindJobAsync("org-a", "s64", "k2", Ct));
        Assert.NotNull(await Store.FindJobAsync("org-b", "s64", "k1", Ct));
        Assert.False(await Store.ForgetJobAsync("org-a", "s64", "k1", "task_1", Ct));
    }

    [Fact]
    public async Task Deleting_older_jobs_keeps_those_submitted_at_or_after_the_cutoff()
    {
        await Store.RecordJobAsync(Job("old", submittedAt: T0.AddDays(-8)), Ct);
        await Store.RecordJobAsync(Job("just-before", org: "org-b", submittedAt: T0.AddTicks(-1)), Ct);
        await Store.RecordJobAsync(Job("at-cutoff", submittedAt: T0), Ct);
        await Store.RecordJobAsync(Job("new", submittedAt: T0.AddHours(1)), Ct);

        Assert.Equal(2, await Store.DeleteJobsOlderThanAsync(T0, Ct));

        Assert.Null(await Store.FindJobAsync("org-a", "s64", "old", Ct));
        Assert.Null(await Store.FindJobAsync("org-b", "s64", "just-before", Ct));
        Assert.NotNull(await Store.FindJobAsync("org-a", "s64", "at-cutoff", Ct));
        Assert.NotNull(await Store.FindJobAsync("org-a", "s64", "new", Ct));
        Assert.Equal(0, await Store.DeleteJobsOlderThanAsync(T0, Ct));
    }
}

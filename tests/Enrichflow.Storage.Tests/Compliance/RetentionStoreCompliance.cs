using Enrichflow.Core.Storage;

namespace Enrichflow.Storage.Tests.Compliance;

/// <summary>What every <see cref="IRetentionStore"/> backend must do (docs/api.md §9.1), over the same store's run and account ports.</summary>
public abstract class RetentionStoreCompliance : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(1_234_567);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private (IRetentionStore Retention, IRunStore Runs, IAccountStore Accounts)? _stores;

    protected IRetentionStore Retention => Stores.Retention;

    protected IRunStore Runs => Stores.Runs;

    protected IAccountStore Accounts => Stores.Accounts;

    private (IRetentionStore Retention, IRunStore Runs, IAccountStore Accounts) Stores => _stores ?? throw new InvalidOperationException("The store is not initialized.");

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Makes a fresh, empty, migrated store, seen through its three ports.</summary>
    protected abstract ValueTask<(IRetentionStore Retention, IRunStore Runs, IAccountStore Accounts)> CreateStoresAsync(CancellationToken cancellationToken);

    public async ValueTask InitializeAsync() => _stores = await CreateStoresAsync(Ct);

    public virtual async ValueTask DisposeAsync()
    {
        if (_stores?.Retention is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Runs_expire_by_when_they_ended_and_paused_ones_by_their_last_update()
    {
        var completed = await AddRunAsync(RunStatus.Completed, endedAt: T0);
        var failed = await AddRunAsync(RunStatus.Failed, endedAt: T0.AddHours(1));
        var cancelled = await AddRunAsync(RunStatus.Cancelled, endedAt: T0.AddDays(10));
        var running = await AddRunAsync(RunStatus.Running);
        var paused = await AddRunAsync(RunStatus.Paused, updatedAt: T0.AddMinutes(30));
        var queued = await AddRunAsync(RunStatus.Queued);

        var expired = await Retention.ListExpiredRunsAsync(T0.AddDays(1), 100, Ct);

        Assert.Equal([completed, paused, failed], expired);
        Assert.Equal([completed], await Retention.ListExpiredRunsAsync(T0.AddDays(1), 1, Ct));
        Assert.DoesNotContain(cancelled, expired);
        Assert.DoesNotContain(running, expired);
        Assert.DoesNotContain(queued, expired);
    }

    [Fact]
    public async Task Deleting_a_run_deletes_its_rows_and_the_uploads_that_point_into_its_blobs_and_nothing_else()
    {
        var doomed = await AddRunAsync(RunStatus.Completed, endedAt: T0);
        var kept = await AddRunAsync(RunStatus.Completed, endedAt: T0);
        foreach (var runId in new[] { doomed, kept })
        {
            await Runs.EnqueueUnitsAsync([new UnitKey(runId, UnitKind.Chunk, "source", 0, 0)], Ct);
            await Runs.PutResultFileAsync(new ResultFileRecord(runId, "source", 1, ResultFormat.Csv, "1_source.csv", $"runs/{runId:N}/results/1_source.csv", 1, 10, T0, null), Ct);
            await Accounts.AddUploadAsync(new UploadRecord(Guid.NewGuid(), "org-a", "1_source.ndjson", $"runs/{runId:N}/results/1_source.ndjson", 10, T0), Ct);
        }

        var own = new UploadRecord(Guid.NewGuid(), "org-a", "leads.csv", $"uploads/org-a/{Guid.NewGuid():N}", 5, T0);
        await Accounts.AddUploadAsync(own, Ct);

        Assert.True(await Retention.DeleteRunAsync(doomed, Ct));

        Assert.Null(await Runs.GetRunAsync(doomed, Ct));
        Assert.Empty(await Runs.GetRunBlocksAsync(doomed, Ct));
        Assert.Empty(await Runs.ListResultFilesAsync(doomed, Ct));
        Assert.Equal(new UnitCounts(0, 0, 0, 0), await Runs.CountUnitsAsync(doomed, Ct));
        Assert.DoesNotContain($"runs/{doomed:N}/results/1_source.ndjson", await Retention.ListUploadBlobKeysAsync(Ct));
        Assert.False(await Retention.DeleteRunAsync(doomed, Ct));

        Assert.NotNull(await Runs.GetRunAsync(kept, Ct));
        Assert.Single(await Runs.ListResultFilesAsync(kept, Ct));
        Assert.Equal(1, (await Runs.CountUnitsAsync(kept, Ct)).Pending);
        Assert.Equal(new HashSet<string> { $"runs/{kept:N}/results/1_source.ndjson", own.BlobKey }, await Retention.ListUploadBlobKeysAsync(Ct));
        Assert.Equal([kept], (await Retention.ListRunStatusesAsync(Ct)).Keys);
        Assert.Equal((RunStatus.Completed, (DateTimeOffset?)T0), (await Retention.ListRunStatusesAsync(Ct))[kept]);
    }

    [Fact]
    public async Task Uploads_expire_by_age_unless_a_run_that_can_still_read_its_input_uses_them()
    {
        var old = await AddUploadAsync(T0);
        var usedByFailed = await AddUploadAsync(T0);
        var usedByCompleted = await AddUploadAsync(T0);
        var recent = await AddUploadAsync(T0.AddDays(2));
        await AddRunAsync(RunStatus.Failed, endedAt: T0, optionsJson: $$"""{"input_blob_key":"{{usedByFailed.BlobKey}}"}""");
        await AddRunAsync(RunStatus.Completed, endedAt: T0, optionsJson: $$"""{"input_blob_key":"{{usedByCompleted.BlobKey}}"}""");

        var expired = await Retention.DeleteExpiredUploadsAsync(T0.AddDays(1), Ct);

        Assert.Equal(new HashSet<Guid> { old.HandleId, usedByCompleted.HandleId }, expired.Select(u => u.HandleId).ToHashSet());
        Assert.Equal(old, expired.Single(u => u.HandleId == old.HandleId));
        Assert.Null(await Accounts.GetUploadAsync("org-a", old.HandleId, Ct));
        Assert.NotNull(await Accounts.GetUploadAsync("org-a", usedByFailed.HandleId, Ct));
        Assert.NotNull(await Accounts.GetUploadAsync("org-a", recent.HandleId, Ct));
        Assert.Empty(await Retention.DeleteExpiredUploadsAsync(T0.AddDays(1), Ct));
    }

    [Fact]
    public async Task Idempotency_records_expire_by_age()
    {
        await Accounts.TryAddIdempotencyAsync(new IdempotencyRecord("org-a", "old", "h", "{}", T0), T0, Ct);
        await Accounts.TryAddIdempotencyAsync(new IdempotencyRecord("org-a", "new", "h", "{}", T0.AddHours(30)), T0, Ct);

        Assert.Equal(1, await Retention.DeleteExpiredIdempotencyAsync(T0.AddHours(24), Ct));

        Assert.Null(await Accounts.GetIdempotencyAsync("org-a", "old", Ct));
        Assert.NotNull(await Accounts.GetIdempotencyAsync("org-a", "new", Ct));
    }

    [Fact]
    public async Task Committed_outputs_name_the_block_chunk_and_tag_of_each_done_unit()
    {
        var runId = await AddRunAsync(RunStatus.Running);
        await Runs.EnqueueUnitsAsync([new UnitKey(runId, UnitKind.Chunk, "source", 0, 0), new UnitKey(runId, UnitKind.Chunk, "source", 1, 0)], Ct);
        var unit = (await Runs.ClaimUnitAsync("w1", Lease, T0, Ct))!;
        await Runs.CommitUnitAsync(unit, new UnitCommit(unit.Key), T0, Ct);

        var committed = await Retention.ListCommittedOutputsAsync(runId, Ct);

        Assert.Equal([(unit.Key.BlockId, unit.Key.Chunk, unit.LeaseToken)], committed);
        Assert.Empty(await Retention.ListCommittedOutputsAsync(Guid.NewGuid(), Ct));
    }

    [Fact]
    public async Task Organization_storage_counts_runs_uploads_and_their_bytes()
    {
        await Accounts.GetOrCreateOrganizationAsync("org-a", T0, Ct);
        await Accounts.GetOrCreateOrganizationAsync("org-b", T0, Ct);
        var runId = await AddRunAsync(RunStatus.Completed, endedAt: T0);
        await Runs.PutResultFileAsync(new ResultFileRecord(runId, "source", 1, ResultFormat.Csv, "1_source.csv", $"runs/{runId:N}/results/1_source.csv", 1, 100, T0, null), Ct);
        await AddUploadAsync(T0, size: 40);

        var storage = await Retention.ListOrganizationStorageAsync(Ct);

        Assert.Equal([new OrganizationStorage("org-a", 1, 1, 100, 40), new OrganizationStorage("org-b", 0, 0, 0, 0)], storage);
    }

    [Fact]
    public async Task Compacting_after_large_deletes_gives_the_space_back_and_empties_the_journal()
    {
        var runIds = new List<Guid>();
        for (var i = 0; i < 200; i++)
        {
            var runId = await AddRunAsync(RunStatus.Completed, endedAt: T0, optionsJson: $$"""{"padding":"{{new string('x', 4000)}}"}""");
            runIds.Add(runId);
        }

        var full = await Retention.CompactAsync(Ct);
        foreach (var runId in runIds)
        {
            await Retention.DeleteRunAsync(runId, Ct);
        }

        var compacted = await Retention.CompactAsync(Ct);

        Assert.True(compacted.DatabaseBytes < full.DatabaseBytes / 2, $"{compacted.DatabaseBytes} bytes after deleting, {full.DatabaseBytes} before");
        Assert.True(compacted.FreeBytes < full.DatabaseBytes / 4);
        Assert.Equal(compacted.DatabaseBytes, (await Retention.MeasureAsync(Ct)).DatabaseBytes);
    }

    private async Task<Guid> AddRunAsync(RunStatus status, DateTimeOffset? endedAt = null, DateTimeOffset? updatedAt = null, string optionsJson = """{"result_formats":["csv"]}""")
    {
        var run = new RunRecord(Guid.CreateVersion7(), "org-a", "wf-1", "Workflow", 1, """{"blocks":[]}""", optionsJson, RunStatus.Queued, T0, T0);
        await Runs.CreateRunAsync(run, [new RunBlockRecord(run.Id, "source", "webhook", 1, 0, BlockStatus.Pending)], Ct);
        if (status is RunStatus.Queued)
        {
            return run.Id;
        }

        await Runs.TransitionRunAsync(run.Id, [RunStatus.Queued], RunStatus.Running, T0, null, null, Ct);
        if (status is not RunStatus.Running)
        {
            await Runs.TransitionRunAsync(run.Id, [RunStatus.Running], status, endedAt ?? updatedAt ?? T0, null, null, Ct);
        }

        return run.Id;
    }

    private async Task<UploadRecord> AddUploadAsync(DateTimeOffset createdAt, long size = 5)
    {
        var handle = Guid.NewGuid();
        var upload = new UploadRecord(handle, "org-a", "leads.csv", $"uploads/org-a/{handle:N}", size, createdAt);
        await Accounts.AddUploadAsync(upload, Ct);
        return upload;
    }
}

using Enrichflow.Core.Storage;
using Enrichflow.Hosting.Retention;
using Enrichflow.Storage.LocalDisk;
using Enrichflow.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Enrichflow.Server.Tests;

/// <summary>The retention sweep over a real store and blob directory, for what a server test cannot stage: a unit file of an attempt that lost its lease while the run goes on.</summary>
public sealed class RetentionSweepTests : IAsyncDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "enrichflow-tests", Guid.NewGuid().ToString("N"));
    private readonly SqliteStore _store;
    private readonly LocalDiskBlobStore _blobs;

    public RetentionSweepTests()
    {
        _store = new SqliteStore(Path.Combine(_directory, "enrichflow.db"));
        _blobs = new LocalDiskBlobStore(Path.Combine(_directory, "blobs"));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_running_runs_unit_file_of_a_lost_lease_goes_once_old_enough_and_the_committed_and_pending_ones_stay()
    {
        await _store.MigrateAsync(Ct);
        var now = DateTimeOffset.UtcNow;
        var run = new RunRecord(Guid.CreateVersion7(), "default", "wf", "wf", 1, """{"blocks":[]}""", "{}", RunStatus.Queued, now, now);
        await _store.CreateRunAsync(run, [new RunBlockRecord(run.Id, "input", "webhook", 1, 0, BlockStatus.Pending)], Ct);
        await _store.TransitionRunAsync(run.Id, [RunStatus.Queued], RunStatus.Running, now, null, null, Ct);
        await _store.EnqueueUnitsAsync([new UnitKey(run.Id, UnitKind.Chunk, "input", 0, 0)], Ct);
        var lost = (await _store.ClaimUnitAsync("w1", TimeSpan.FromSeconds(1), now, Ct))!;
        var winner = (await _store.ClaimUnitAsync("w2", TimeSpan.FromMinutes(1), now.AddSeconds(5), Ct))!;
        Assert.Equal(lost.Key, winner.Key);
        Assert.True((await _store.CommitUnitAsync(winner, new UnitCommit(winner.Key), now.AddSeconds(6), Ct)).Committed);
        var pending = winner.Key with { Chunk = 1 };
        await _store.EnqueueUnitsAsync([pending], Ct);

        var committedFile = await WriteAsync($"runs/{run.Id:N}/units/input/{winner.Key.Chunk:D7}.{winner.LeaseToken:N}.efo");
        var lostFile = await WriteAsync($"runs/{run.Id:N}/units/input/{lost.Key.Chunk:D7}.{lost.LeaseToken:N}.efo");
        var pendingFile = await WriteAsync($"runs/{run.Id:N}/units/input/{pending.Chunk:D7}.{Guid.NewGuid():N}.efo");
        var input = await WriteAsync($"runs/{run.Id:N}/input/payload.json");

        var clock = new FakeTimeProvider(now);
        var sweep = new RetentionSweep(_store, _store, _blobs, new StorageUsage(), new RetentionClock(clock), Options.Create(new RetentionOptions()), NullLogger<RetentionSweep>.Instance);
        await sweep.RunOnceAsync(Ct);
        Assert.NotNull(await _blobs.GetSizeAsync(lostFile, Ct));

        clock.Advance(TimeSpan.FromMinutes(61));
        await sweep.RunOnceAsync(Ct);

        Assert.Null(await _blobs.GetSizeAsync(lostFile, Ct));
        Assert.NotNull(await _blobs.GetSizeAsync(committedFile, Ct));
        Assert.NotNull(await _blobs.GetSizeAsync(pendingFile, Ct));
        Assert.NotNull(await _blobs.GetSizeAsync(input, Ct));
    }

    private async Task<string> WriteAsync(string key)
    {
        await using var writer = await _blobs.CreateAsync(key, Ct);
        await writer.Stream.WriteAsync(new byte[64], Ct);
        await writer.CommitAsync(Ct);
        return key;
    }

    public ValueTask DisposeAsync()
    {
        _store.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }

        return ValueTask.CompletedTask;
    }
}

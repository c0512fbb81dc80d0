using System.Collections.Concurrent;
using System.Diagnostics;
using Enrichflow.Core.Storage;
using Enrichflow.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Enrichflow.Storage.Tests.Sqlite;

/// <summary>What only the SQLite store promises: its file, its schema bookkeeping, several stores on one file.</summary>
public sealed class SqliteStoreTests(SqliteStoreFixture sqlite)
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A file in a directory that does not exist yet: the store creates both.</summary>
    private string DatabasePath { get; } = sqlite.NewDatabasePath();

    [Fact]
    public async Task Migrations_are_recorded_once_and_the_file_is_in_wal_mode()
    {
        await using var store = new SqliteStore(DatabasePath);
        await store.MigrateAsync(Ct);
        await store.MigrateAsync(Ct);

        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 18, 19, 21, 22, 23], await store.GetAppliedMigrationsAsync(Ct));
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", await command.ExecuteScalarAsync(Ct));
    }

    [Theory]
    [InlineData(true, "FULL")]
    [InlineData(false, "NORMAL")]
    public async Task Synchronous_is_FULL_when_blobs_are_flushed_to_disk_and_NORMAL_otherwise(bool synchronousFull, string expected)
    {
        await using var store = new SqliteStore(DatabasePath, synchronousFull);
        await store.MigrateAsync(Ct);

        Assert.Equal(expected, await store.SynchronousAsync(Ct));
    }

    [Fact]
    public async Task Migration_12_removes_workflows_an_earlier_version_soft_deleted_so_their_ids_are_free()
    {
        await using var store = new SqliteStore(DatabasePath);
        await store.MigrateAsync(Ct);
        await store.TryCreateAsync(new WorkflowRecord("kept", "org-a", "k", "", WorkflowStatus.Active, WorkflowStep.Draft, T0, T0, null, 1, "{}"), Ct);
        await store.TryCreateAsync(new WorkflowRecord("gone", "org-a", "g", "", WorkflowStatus.Active, WorkflowStep.Draft, T0, T0, null, 1, "{}"), Ct);
        await using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            // As a store before migration 12 left it: 'gone' soft-deleted, and 12 not yet applied.
            await connection.OpenAsync(Ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE workflows SET status = 'deleted' WHERE id = 'gone'; DELETE FROM schema_migrations WHERE version = 12;";
            await command.ExecuteNonQueryAsync(Ct);
        }

        await store.MigrateAsync(Ct);

        Assert.Equal(["kept"], (await store.ListAsync("org-a", Ct)).Select(w => w.Id));
        Assert.Null(await store.GetDefinitionVersionAsync("org-a", "gone", 1, Ct));
        Assert.True(await store.TryCreateAsync(new WorkflowRecord("gone", "org-a", "new", "", WorkflowStatus.Active, WorkflowStep.Draft, T0, T0, null, 1, "{}"), Ct));
    }

    [Fact]
    public async Task Data_survives_reopening_the_store()
    {
        var runId = Guid.CreateVersion7();
        await using (var store = new SqliteStore(DatabasePath))
        {
            await store.MigrateAsync(Ct);
            await store.CreateRunAsync(NewRun(runId), [], Ct);
        }

        await using var reopened = new SqliteStore(DatabasePath);
        await reopened.MigrateAsync(Ct);
        Assert.Equal(RunStatus.Running, (await reopened.GetRunAsync(runId, Ct))!.Status);
    }

    [Fact]
    public async Task A_stored_status_this_build_does_not_know_is_an_error_naming_the_value_and_the_table()
    {
        var runId = Guid.CreateVersion7();
        await using var store = new SqliteStore(DatabasePath);
        await store.MigrateAsync(Ct);
        await store.CreateRunAsync(NewRun(runId), [], Ct);
        await using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync(Ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE runs SET status = 'hibernating'";
            Assert.Equal(1, await command.ExecuteNonQueryAsync(Ct));
        }

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => store.GetRunAsync(runId, Ct));
        Assert.Equal("Unknown run status 'hibernating' in the runs table.", error.Message);
    }

    [Fact]
    public async Task Provider_cache_entries_and_usage_survive_reopening_the_file()
    {
        var entry = new ProviderCacheEntry("org-a", "hunter", "domain=acme.com", "found", """{"email":"ada@acme.com"}""", 0.5, T0);
        var runId = Guid.CreateVersion7();
        await using (var store = new SqliteStore(DatabasePath))
        {
            await store.MigrateAsync(Ct);
            await store.PutAsync(entry, Ct);
            await store.AddUsageAsync([new UsageIncrement("org-a", runId, "find", "hunter", new DateOnly(2025, 3, 1), Calls: 1, Hits: 1, Credits: 0.5)], Ct);
        }

        await using var reopened = new SqliteStore(DatabasePath);
        await reopened.MigrateAsync(Ct);
        Assert.Equal(entry, await reopened.GetAsync("org-a", "hunter", "domain=acme.com", Ct));
        Assert.Equal(entry, (await reopened.GetManyAsync("org-a", "hunter", ["domain=acme.com"], Ct))["domain=acme.com"]);
        Assert.Equal(new UsageTotals("hunter", "find", null, 1, 1, 0, 0, 0, 0.5), Assert.Single(await reopened.GetRunUsageAsync(runId, Ct)));
    }

    [Fact]
    public async Task Two_stores_on_one_file_never_share_a_unit()
    {
        await using var first = new SqliteStore(DatabasePath);
        await using var second = new SqliteStore(DatabasePath);
        await first.MigrateAsync(Ct);
        await second.MigrateAsync(Ct);
        var runId = Guid.CreateVersion7();
        await first.CreateRunAsync(NewRun(runId), [new RunBlockRecord(runId, "b", "b", 1, 1, BlockStatus.Pending)], Ct);
        await first.EnqueueUnitsAsync([.. Enumerable.Range(0, 300).Select(i => new UnitKey(runId, UnitKind.Chunk, "b", i, 1))], Ct);
        var claimed = new ConcurrentBag<UnitKey>();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            var store = worker % 2 == 0 ? first : second;
            while (await store.ClaimUnitAsync($"w{worker}", Lease, T0, Ct) is { } unit)
            {
                claimed.Add(unit.Key);
                Assert.True((await store.CommitUnitAsync(unit, new UnitCommit(unit.Key) { Counters = new(1, 1, 0, 0) }, T0, Ct)).Committed);
            }
        }, Ct)));

        Assert.Equal(300, claimed.Distinct().Count());
        Assert.Equal(300, claimed.Count);
        var block = (await first.GetRunBlocksAsync(runId, Ct)).Single();
        Assert.Equal((300L, 300), (block.RowsIn, block.ChunksDone));
    }

    [Fact]
    public async Task Two_stores_on_one_file_claim_a_schedules_due_time_once()
    {
        // Two servers on one store, each racing to start the same due time: one claim adds its run, the rest nothing.
        await using var first = new SqliteStore(DatabasePath);
        await using var second = new SqliteStore(DatabasePath);
        await first.MigrateAsync(Ct);
        await second.MigrateAsync(Ct);
        await first.TryCreateAsync(new WorkflowRecord("wf", "org-a", "w", "", WorkflowStatus.Active, WorkflowStep.Draft, T0, T0, null, 1, "{}"), Ct);
        var schedule = new ScheduleRecord(Guid.CreateVersion7(), "org-a", "wf", "s", "", "* * * * *", "UTC", true, null, null, T0, null, null, null, T0, T0);
        Assert.True(await first.CreateScheduleAsync(schedule, Ct));

        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            var store = worker % 2 == 0 ? first : second;
            var runId = Guid.CreateVersion7();
            var run = new QueuedRun(NewRun(runId) with { ScheduleId = schedule.Id }, [], [new UnitKey(runId, UnitKind.Source, "a", 0, 0)]);
            return await store.ClaimDueTimeAsync(new ScheduleClaim(schedule.Id, T0, T0.AddMinutes(1), runId, null), run, Ct) ? runId : (Guid?)null;
        }, Ct)));

        var winner = Assert.Single(attempts, a => a is not null);
        var runs = await second.ListRunsAsync(new RunQuery("org-a", null, null, 0), Ct);
        Assert.Equal(winner, Assert.Single(runs).Id);
        Assert.Equal((T0.AddMinutes(1), winner), ((await second.GetScheduleAsync("org-a", schedule.Id, Ct))!.NextRunAt, (await second.GetScheduleAsync("org-a", schedule.Id, Ct))!.LastRunId));
    }

    [Fact]
    public async Task Ten_thousand_units_flow_through_claim_and_commit()
    {
        await using var store = new SqliteStore(DatabasePath);
        await store.MigrateAsync(Ct);
        var runId = Guid.CreateVersion7();
        await store.CreateRunAsync(NewRun(runId), [new RunBlockRecord(runId, "a", "a", 1, 1, BlockStatus.Pending), new RunBlockRecord(runId, "b", "b", 2, 2, BlockStatus.Pending)], Ct);
        var idle = Guid.CreateVersion7();
        await store.CreateRunAsync(NewRun(idle) with { Status = RunStatus.Paused }, [], Ct);
        await store.EnqueueUnitsAsync([.. Enumerable.Range(0, 100_000).Select(i => new UnitKey(idle, UnitKind.Chunk, "a", i, 1))], Ct);
        await store.EnqueueUnitsAsync([.. Enumerable.Range(0, 5_000).Select(i => new UnitKey(runId, UnitKind.Chunk, "a", i, 1))], Ct);

        var stopwatch = Stopwatch.StartNew();
        var operations = 0;
        while (await store.ClaimUnitAsync("w1", Lease, T0, Ct) is { } unit)
        {
            var commit = new UnitCommit(unit.Key)
            {
                Counters = new(1000, 990, 10, 0),
                Enqueue = unit.Key.BlockId == "a" ? [unit.Key with { BlockId = "b", Position = 2 }] : [],
            };
            Assert.True((await store.CommitUnitAsync(unit, commit, T0, Ct)).Committed);
            operations += 2;
        }

        stopwatch.Stop();
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"10,000 units beside 100,000 idle ones: {operations} claims and commits in {stopwatch.ElapsedMilliseconds} ms " +
            $"({operations / stopwatch.Elapsed.TotalSeconds:N0} per second, {stopwatch.Elapsed.TotalMilliseconds * 1000 / operations:N0} µs each)");
        var blocks = await store.GetRunBlocksAsync(runId, Ct);
        Assert.Equal([5_000, 5_000], blocks.Select(b => b.ChunksDone));
        Assert.Equal(new UnitCounts(0, 0, 10_000, 0), await store.CountUnitsAsync(runId, Ct));
        Assert.Equal(new UnitCounts(100_000, 0, 0, 0), await store.CountUnitsAsync(idle, Ct));
    }

    private static RunRecord NewRun(Guid id) =>
        new(id, "org-a", "wf-1", "Workflow", 1, "{}", "{}", RunStatus.Running, T0, T0);
}

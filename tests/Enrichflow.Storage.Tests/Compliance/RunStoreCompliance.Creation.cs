using Enrichflow.Core.Storage;

namespace Enrichflow.Storage.Tests.Compliance;

// Creating a run whole (blocks and first units in one transaction), with its Idempotency-Key reserved in the same one.
public abstract partial class RunStoreCompliance
{
    [Fact]
    public async Task A_created_run_has_its_blocks_and_first_units()
    {
        var run = Queued(NewRun(RunStatus.Queued));

        Assert.True((await Store.CreateRunAsync(run, null, Ct)).Created);

        Assert.Equal(run.Run, await Store.GetRunAsync(run.Run.Id, Ct));
        Assert.Equal(run.Blocks, await Store.GetRunBlocksAsync(run.Run.Id, Ct));
        Assert.Equal(new UnitCounts(1, 0, 0, 0), await Store.CountUnitsAsync(run.Run.Id, Ct));
    }

    [Fact]
    public async Task Two_concurrent_creates_with_one_idempotency_key_add_one_run_and_the_other_gets_the_first_record()
    {
        var first = Queued(NewRun(RunStatus.Queued));
        var second = Queued(NewRun(RunStatus.Queued));

        var creations = await Task.WhenAll(
            Store.CreateRunAsync(first, Reservation(first.Run.Id, "hash-1"), Ct),
            Store.CreateRunAsync(second, Reservation(second.Run.Id, "hash-2"), Ct));

        var winner = Assert.Single(new[] { first, second }.Where((_, i) => creations[i].Created));
        var held = Assert.Single(creations, c => !c.Created).Held!;
        Assert.Equal(Reservation(winner.Run.Id, winner == first ? "hash-1" : "hash-2").Record, held);
        Assert.Equal([winner.Run.Id], await ListRunIdsAsync(new RunQuery("org-a", null, null, 100)));
        var loser = winner == first ? second : first;
        Assert.Null(await Store.GetRunAsync(loser.Run.Id, Ct));
        Assert.Equal(new UnitCounts(0, 0, 0, 0), await Store.CountUnitsAsync(loser.Run.Id, Ct));
    }

    [Fact]
    public async Task An_idempotency_key_is_held_per_organization_until_it_expires()
    {
        var first = Queued(NewRun(RunStatus.Queued));
        Assert.True((await Store.CreateRunAsync(first, Reservation(first.Run.Id, "hash-1"), Ct)).Created);

        var otherOrg = Queued(NewRun(RunStatus.Queued, org: "org-b"));
        Assert.True((await Store.CreateRunAsync(otherOrg, Reservation(otherOrg.Run.Id, "hash-1", org: "org-b"), Ct)).Created);

        // Still within the window (created at T0, the window starts at T0): held.
        var again = Queued(NewRun(RunStatus.Queued));
        var held = await Store.CreateRunAsync(again, Reservation(again.Run.Id, "hash-2", now: T0.AddHours(1), expiredBefore: T0), Ct);
        Assert.Equal("hash-1", held.Held?.RequestHash);
        Assert.Null(await Store.GetRunAsync(again.Run.Id, Ct));

        // Past the window: the old record is replaced and the run added.
        var later = Reservation(again.Run.Id, "hash-2", now: T0.AddDays(2), expiredBefore: T0.AddDays(1));
        Assert.True((await Store.CreateRunAsync(again, later, Ct)).Created);
        var third = Queued(NewRun(RunStatus.Queued));
        Assert.Equal(later.Record, (await Store.CreateRunAsync(third, Reservation(third.Run.Id, "hash-3", now: T0.AddDays(2), expiredBefore: T0.AddDays(1)), Ct)).Held);
    }

    private static QueuedRun Queued(RunRecord run) =>
        new(run, Blocks(run.Id), [new UnitKey(run.Id, UnitKind.Source, DefaultBlocks[0], 0, 0)]);

    private static IdempotencyReservation Reservation(Guid runId, string requestHash, string org = "org-a", DateTimeOffset? now = null, DateTimeOffset? expiredBefore = null) =>
        new(new IdempotencyRecord(org, "key-1", requestHash, $$"""{"job_id":"{{runId}}"}""", now ?? T0), expiredBefore ?? T0.AddDays(-1));
}

using System.Collections.Concurrent;
using Enrichflow.Core.Storage;

namespace Enrichflow.Storage.Tests.Compliance;

public abstract partial class RunStoreCompliance
{
    [Fact]
    public async Task Claim_returns_null_when_no_unit_is_ready()
    {
        Assert.Null(await Store.ClaimUnitAsync("w1", Lease, T0, Ct));
        var runId = await AddRunAsync();
        Assert.Null(await Store.ClaimUnitAsync("w1", Lease, T0, Ct));
        await Store.EnqueueUnitsAsync([Chunk(runId, "clean", 0)], Ct);
        Assert.NotNull(await Store.ClaimUnitAsync("w1", Lease, T0, Ct));
        Assert.Null(await Store.ClaimUnitAsync("w1", Lease, T0, Ct));
    }

    [Fact]
    public async Task Claim_skips_units_of_runs_that_are_not_running()
    {
        foreach (var status in new[] { RunStatus.Queued, RunStatus.Paused, RunStatus.Completed, RunStatus.Failed, RunStatus.Cancelled })
        {
            var other = await AddRunAsync(status);
            await Store.EnqueueUnitsAsync([Chunk(other, "clean", 0)], Ct);
        }

        var paused = await AddRunAsync(RunStatus.Running);
        await Store.EnqueueUnitsAsync([Chunk(paused, "clean", 0)], Ct);
        var claimed = await Store.ClaimUnitAsync("w1", Lease, T0, Ct);
        await Store.TransitionRunAsync(paused, [RunStatus.Running], RunStatus.Paused, T0, null, null, Ct);

        Assert.Equal(paused, claimed!.Key.RunId);
        Assert.Null(await Store.ClaimUnitAsync("w1", Lease, T0.AddHours(1), Ct));
    }

    [Fact]
    public async Task Claim_passes_over_skipped_blocks_including_their_expired_leases()
    {
        var first = await AddRunAsync();
        var second = await AddRunAsync();
        await Store.EnqueueUnitsAsync([Chunk(first, "enrich", 0), Chunk(first, "enrich", 1), Chunk(first, "clean", 2), Chunk(second, "enrich", 0)], Ct);
        UnitHead[] skip = [new(first, "enrich"), new(second, "enrich")];

        var claimed = await Store.ClaimUnitAsync("w1", Lease, T0, skip, Ct);
        Assert.Equal(Chunk(first, "clean", 2), claimed!.Key with { Position = 0 });
        Assert.Null(await Store.ClaimUnitAsync("w1", Lease, T0, skip, Ct));

        // Without the skip list the skipped units are claimed, lowest chunk first; an expired one is skipped too.
        var enrich = await Store.ClaimUnitAsync("w1", Lease, T0, [], Ct);
        Assert.Equal("enrich", enrich!.Key.BlockId);
        Assert.Equal(0, enrich.Key.Chunk);
        var late = await Store.ClaimUnitAsync("w1", Lease, T0.AddHours(1), skip, Ct);
        Assert.True(late is null || late.Key.BlockId != "enrich", $"claimed {late?.Key} although its block is skipped");
    }

    [Fact]
    public async Task Claim_prefers_lower_chunks_then_later_blocks()
    {
        var runId = await AddRunAsync();
        await Store.EnqueueUnitsAsync(
            [Chunk(runId, "clean", 1), Chunk(runId, "enrich", 1), Chunk(runId, "clean", 0), Chunk(runId, "enrich", 0)], Ct);

        var order = await ClaimAllAsync(T0);

        Assert.Equal(
            [Chunk(runId, "enrich", 0), Chunk(runId, "clean", 0), Chunk(runId, "enrich", 1), Chunk(runId, "clean", 1)],
            order);
        Assert.Equal([2, 1, 2, 1], order.Select(k => k.Position));
    }

    [Fact]
    public async Task Claim_puts_assemble_and_finalize_units_ahead_of_chunk_work()
    {
        var runId = await AddRunAsync();
        await Store.EnqueueUnitsAsync([Chunk(runId, "clean", 0), Chunk(runId, "enrich", 0)], Ct);
        await Store.EnqueueUnitsAsync(
            [new UnitKey(runId, UnitKind.Assemble, "clean", 0, 1), new UnitKey(runId, UnitKind.Finalize, "enrich", 0, 2)], Ct);

        var order = await ClaimAllAsync(T0);

        Assert.Equal([UnitKind.Assemble, UnitKind.Finalize], order.Take(2).Select(k => k.Kind).Order());
        Assert.Equal([UnitKind.Chunk, UnitKind.Chunk], order.Skip(2).Select(k => k.Kind));
    }

    [Fact]
    public async Task Claim_prefers_the_older_run_when_units_tie()
    {
        var newer = await AddRunAsync(queuedAt: T0.AddMinutes(1));
        var older = await AddRunAsync(queuedAt: T0);
        await Store.EnqueueUnitsAsync([Chunk(newer, "clean", 0), Chunk(older, "clean", 0), Chunk(older, "clean", 1)], Ct);

        var order = await ClaimAllAsync(T0);

        Assert.Equal([Chunk(older, "clean", 0), Chunk(newer, "clean", 0), Chunk(older, "clean", 1)], order);
    }

    [Fact]
    public async Task Claims_alternate_between_organizations_and_then_between_an_organizations_runs()
    {
        // Regression (issue 11, item 12): claims went to the lowest chunk of the oldest run, so an organization that
        // queued first, or kept queueing small runs, had every claim until its work ran out.
        var a = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var run = await AddRunAsync(org: "org-a", queuedAt: T0.AddSeconds(i));
            await Store.EnqueueUnitsAsync([.. Enumerable.Range(0, 40).Select(c => Chunk(run, "clean", c))], Ct);
            a.Add(run);
        }

        var b = await AddRunAsync(org: "org-b", queuedAt: T0.AddMinutes(5));
        await Store.EnqueueUnitsAsync([.. Enumerable.Range(0, 40).Select(c => Chunk(b, "clean", c))], Ct);

        // Units held (every claim keeps its lease): the organization holding fewer goes next.
        var held = new List<UnitKey>();
        for (var i = 0; i < 12; i++)
        {
            held.Add((await Store.ClaimUnitAsync("w1", Lease, T0, Ct))!.Key);
        }

        Assert.Equal([a[0], b, a[1], b, a[2], b, a[0], b, a[1], b, a[2], b], held.Select(k => k.RunId));
        Assert.Equal([0, 0, 0, 1, 0, 2, 1, 3, 1, 4, 1, 5], held.Select(k => k.Chunk));

        // Units committed as soon as they are claimed (none held): the organization and run served longest ago go next.
        var later = T0 + Lease + Lease;
        var served = new List<Guid>();
        for (var i = 0; i < 12; i++)
        {
            var unit = (await Store.ClaimUnitAsync("w1", Lease, later, Ct))!;
            Assert.True((await Store.CommitUnitAsync(unit, new UnitCommit(unit.Key), later, Ct)).Committed);
            served.Add(unit.Key.RunId);
        }

        Assert.Equal(6, served.Count(r => r == b));
        Assert.All(served.Chunk(2), pair => Assert.Single(pair, b));
        Assert.Equal([2, 2, 2], a.Select(run => served.Count(r => r == run)));
    }

    [Fact]
    public async Task A_stream_of_small_runs_from_one_organization_does_not_starve_another_organizations_long_run()
    {
        var along = await AddRunAsync(org: "org-b", queuedAt: T0);
        await Store.EnqueueUnitsAsync([.. Enumerable.Range(0, 50).Select(c => Chunk(along, "clean", c))], Ct);

        var longRunClaims = 0;
        for (var i = 0; i < 20; i++)
        {
            // A new one-chunk run of org-a arrives before every claim: chunk 0 of a newer run used to win each time.
            var small = await AddRunAsync(org: "org-a", queuedAt: T0.AddSeconds(i + 1));
            await Store.EnqueueUnitsAsync([Chunk(small, "clean", 0)], Ct);
            var unit = (await Store.ClaimUnitAsync("w1", Lease, T0, Ct))!;
            Assert.True((await Store.CommitUnitAsync(unit, new UnitCommit(unit.Key), T0, Ct)).Committed);
            longRunClaims += unit.Key.RunId == along ? 1 : 0;
        }

        Assert.InRange(longRunClaims, 10, 11);
    }

    [Fact]
    public async Task Assemble_and_finalize_units_of_any_organization_still_go_first_and_the_skip_list_still_applies()
    {
        var a = await AddRunAsync(org: "org-a");
        var b = await AddRunAsync(org: "org-b");
        await Store.EnqueueUnitsAsync([Chunk(a, "clean", 0), Chunk(a, "clean", 1), Chunk(a, "enrich", 0), Chunk(b, "clean", 0)], Ct);
        var first = (await Store.ClaimUnitAsync("w1", Lease, T0, Ct))!;
        await Store.EnqueueUnitsAsync([new UnitKey(first.Key.RunId, UnitKind.Assemble, "clean", 0, 1)], Ct);

        // The organization that was just served holds more units, yet its assemble unit goes first.
        var urgent = (await Store.ClaimUnitAsync("w1", Lease, T0, Ct))!;
        Assert.Equal(new UnitKey(first.Key.RunId, UnitKind.Assemble, "clean", 0, 1), urgent.Key);

        UnitHead[] skip = [new(b, "clean"), new(a, "enrich")];
        var rest = new List<UnitKey>();
        while (await Store.ClaimUnitAsync("w1", Lease, T0, skip, Ct) is { } unit)
        {
            rest.Add(unit.Key);
        }

        Assert.Equal([Chunk(a, "clean", 0), Chunk(a, "clean", 1)], rest);
    }

    [Fact]
    public async Task Claim_sets_a_lease_and_counts_attempts()
    {
        var runId = await AddRunAsync();
        await Store.EnqueueUnitsAsync([Chunk(runId, "clean", 3)], Ct);

        var first = (await Store.ClaimUnitAsync("w1", Lease, T0, Ct))!;
        var second = (await Store.ClaimUnitAsync("w2", Lease, T0 + Lease + TimeSpan.FromSeconds(1), Ct))!;

        Assert.Equal(Chunk(runId, "clean", 3), first.Key);
        Assert.Equal(1, first.Key.Position);
        Assert.Equal(1, first.Attempt);
        Assert.Equal(T0 + Lease, first.LeaseExpiresAt);
        Assert.Equal(first.Key, second.Key);
        Assert.Equal(2, second.Attempt);
        Assert.NotEqual(first.LeaseToken, second.LeaseToken);
    }

    [Fact]
    public async Task Claim_does_not_hand_out_a_unit_under_a_live_lease()
    {
        var runId = await AddRunAsync();
        await Store.EnqueueUnitsAsync([Chunk(runId, "clean", 0)], Ct);
        await Store.ClaimUnitAsync("w1", Lease, T0, Ct);

        Assert.Null(await Store.ClaimUnitAsync("w2", Lease, T0 + Lease - TimeSpan.FromSeconds(1), Ct));
        Assert.NotNull(await Store.ClaimUnitAsync("w2", Lease, T0 + Lease + TimeSpan.FromSeconds(1), Ct));
    }

    [Fact]
    public async Task Claim_of_a_chunk_unit_marks_its_block_running()
    {
        var runId = await AddRunAsync();
        await Store.EnqueueUnitsAsync([Chunk(runId, "clean", 0), Chunk(runId, "clean", 1)], Ct);

        await Store.ClaimUnitAsync("w1", Lease, T0, Ct);
        await Store.ClaimUnitAsync("w1", Lease, T0.AddSeconds(5), Ct);

        var block = await GetBlockAsync(runId, "clean");
        Assert.Equal(BlockStatus.Running, block.Status);
        Assert.Equal(T0, block.StartedAt);
        Assert.Equal(BlockStatus.Pending, (await GetBlockAsync(runId, "enrich")).Status);
    }

    [Fact]
    public async Task Concurrent_claimers_never_share_a_unit()
    {
        var runId = await AddRunAsync();
        await Store.EnqueueUnitsAsync([.. Enumerable.Range(0, 500).Select(i => Chunk(runId, "clean", i))], Ct);
        var claimed = new ConcurrentBag<ClaimedUnit>();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            while (await Store.ClaimUnitAsync($"w{worker}", Lease, T0, Ct) is { } unit)
            {
                claimed.Add(unit);
            }
        }, Ct)));

        Assert.Equal(500, claimed.Count);
        Assert.Equal(500, claimed.Select(u => u.Key.Chunk).Distinct().Count());
        Assert.Equal(new UnitCounts(0, 500, 0, 0), await Store.CountUnitsAsync(runId, Ct));
    }

    [Fact]
    public async Task Renew_extends_a_held_lease_and_fails_for_a_lost_one()
    {
        var runId = await AddRunAsync();
        await Store.EnqueueUnitsAsync([Chunk(runId, "clean", 0)], Ct);
        var held = (await Store.ClaimUnitAsync("w1", Lease, T0, Ct))!;

        Assert.True(await Store.RenewLeaseAsync(held, Lease, T0.AddSeconds(20), Ct));
        Assert.Null(await Store.ClaimUnitAsync("w2", Lease, T0 + Lease + TimeSpan.FromSeconds(1), Ct));

        var thief = (await Store.ClaimUnitAsync("w2", Lease, T0.AddSeconds(51), Ct))!;
        Assert.False(await Store.RenewLeaseAsync(held, Lease, T0.AddSeconds(52), Ct));
        Assert.True(await Store.RenewLeaseAsync(thief, Lease, T0.AddSeconds(52), Ct));
    }

    [Fact]
    public async Task Expire_all_leases_makes_running_units_claimable_at_once()
    {
        var runId = await AddRunAsync();
        await Store.EnqueueUnitsAsync([Chunk(runId, "clean", 0), Chunk(runId, "clean", 1)], Ct);
        var first = (await Store.ClaimUnitAsync("w1", TimeSpan.FromHours(1), T0, Ct))!;
        var second = (await Store.ClaimUnitAsync("w1", TimeSpan.FromHours(1), T0, Ct))!;

        await Store.ExpireAllLeasesAsync(T0.AddSeconds(1), Ct);

        var again = await ClaimAllAsync(T0.AddSeconds(1));
        Assert.Equal([first.Key, second.Key], again);
        Assert.False(await Store.RenewLeaseAsync(first, Lease, T0.AddSeconds(2), Ct));
    }

    private async Task<List<UnitKey>> ClaimAllAsync(DateTimeOffset now)
    {
        var keys = new List<UnitKey>();
        while (await Store.ClaimUnitAsync("w1", Lease, now, Ct) is { } unit)
        {
            keys.Add(unit.Key);
        }

        return keys;
    }

    protected static UnitKey Chunk(Guid runId, string blockId, int chunk) =>
        new(runId, UnitKind.Chunk, blockId, chunk, Array.IndexOf(DefaultBlocks, blockId));

    protected static UnitKey Source(Guid runId) => new(runId, UnitKind.Source, "source", 0, 0);
}

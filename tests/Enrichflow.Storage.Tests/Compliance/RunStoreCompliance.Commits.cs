using Enrichflow.Core.Storage;

namespace Enrichflow.Storage.Tests.Compliance;

public abstract partial class RunStoreCompliance
{
    private static readonly UnitCounters TenIn = new(RowsIn: 10, RowsOut: 7, RowsRejected: 2, RowsFailed: 1);

    [Fact]
    public async Task Commit_adds_the_counters_to_the_block_and_counts_the_chunk()
    {
        var runId = await AddRunAsync();
        await Store.EnqueueUnitsAsync([Chunk(runId, "clean", 0)], Ct);
        var unit = (await Store.ClaimUnitAsync("w1", Lease, T0, Ct))!;

        var result = await Store.CommitUnitAsync(unit, new UnitCommit(unit.Key) { Counters = TenIn }, T0.AddSeconds(1), Ct);

        Assert.Equal(new CommitResult(true, 1, null), result);
        var block = await GetBlockAsync(runId, "clean");
        Assert.Equal((10, 7, 2, 1, 1), (block.RowsIn, block.RowsOut, block.RowsRejected, block.RowsFailed, block.ChunksDone));
        Assert.Equal(new UnitCounts(0, 0, 1, 0), await Store.CountUnitsAsync(runId, Ct));
        Assert.True(await Store.IsUnitDoneAsync(unit.Key, Ct));
    }

    [Fact]
    public async Task Commit_under_a_lost_lease_writes_nothing()
    {
        var runId = await AddRunAsync();
        await Store.EnqueueUnitsAsync([Chunk(runId, "clean", 0)], Ct);
        var stale = (await Store.ClaimUnitAsync("w1", Lease, T0, Ct))!;
        var current = (await Store.ClaimUnitAsync("w2", Lease, T0 + Lease + TimeSpan.FromSeconds(1), Ct))!;
        var next = Chunk(runId, "enrich", 0);

        var lost = await Store.CommitUnitAsync(
            stale, new UnitCommit(stale.Key) { Counters = TenIn, Enqueue = [next], SourceChunkCount = 9 }, T0.AddMinutes(1), Ct);

        Assert.False(lost.Committed);
        Assert.Equal(0, (await GetBlockAsync(runId, "clean")).RowsIn);
        Assert.Equal(new UnitCounts(0, 1, 0, 0), await Store.CountUnitsAsync(runId, Ct));
        Assert.Null((await Store.GetRunAsync(runId, Ct))!.SourceChunkCount);
        Assert.False(await Store.FailUnitAsync(stale, "late", T0.AddMinutes(1), Ct));

        var won = await Store.CommitUnitAsync(current, new UnitCommit(current.Key) { Counters = TenIn, Enqueue = [next] }, T0.AddMinutes(1), Ct);
        var again = await Store.CommitUnitAsync(stale, new UnitCommit(stale.Key) { Counters = TenIn }, T0.AddMinutes(2), Ct);

        Assert.Equal(new CommitResult(true, 1, null), won);
        Assert.False(again.Committed);
        var block = await GetBlockAsync(runId, "clean");
        Assert.Equal((10L, 1), (block.RowsIn, block.ChunksDone));
        Assert.Equal(new UnitCounts(1, 0, 1, 0), await Store.CountUnitsAsync(runId, Ct));
    }

    [Fact]
    public async Task Commit_of_an_already_done_chunk_adds_nothing()
    {
        var runId = await AddRunAsync();
        await Store.EnqueueUnitsAsync([Source(runId)], Ct);
        var source = (await Store.ClaimUnitAsync("w1", Lease, T0, Ct))!;
        var chunk0 = Chunk(runId, "source", 0);

        var first = await Store.CommitUnitAsync(source, new UnitCommit(chunk0) { Counters = TenIn, FinishesLease = false }, T0, Ct);
        var repeat = await Store.CommitUnitAsync(source, new UnitCommit(chunk0) { Counters = TenIn, FinishesLease = false }, T0, Ct);

        Assert.Equal(new CommitResult(true, 1, null), first);
        Assert.Equal(new CommitResult(true, 1, null), repeat);
        var block = await GetBlockAsync(runId, "source");
        Assert.Equal((10L, 7L, 1), (block.RowsIn, block.RowsOut, block.ChunksDone));
    }

    [Fact]
    public async Task A_source_commits_its_chunks_while_keeping_its_lease()
    {
        var runId = await AddRunAsync();
        await Store.EnqueueUnitsAsync([Source(runId)], Ct);
        var source = (await Store.ClaimUnitAsync("w1", Lease, T0, Ct))!;

        var first = await Store.CommitUnitAsync(source,
            new UnitCommit(Chunk(runId, "source", 0)) { Counters = TenIn, FinishesLease = false, Enqueue = [Chunk(runId, "clean", 0)] },
            T0.AddSeconds(1), Ct);

        Assert.Equal(new CommitResult(true, 1, null), first);
        Assert.Equal(new UnitCounts(1, 1, 1, 0), await Store.CountUnitsAsync(runId, Ct));
        Assert.True(await Store.RenewLeaseAsync(source, Lease, T0.AddSeconds(2), Ct));
        Assert.Equal(Chunk(runId, "clean", 0), (await Store.ClaimUnitAsync("w2", Lease, T0.AddSeconds(2), Ct))!.Key);

        var last = await Store.CommitUnitAsync(source,
            new UnitCommit(Chunk(runId, "source", 1)) { Counters = TenIn, SourceChunkCount = 2, Enqueue = [Chunk(runId, "clean", 1)] },
            T0.AddSeconds(3), Ct);

        Assert.Equal(new CommitResult(true, 2, 2), last);
        Assert.Equal(2, (await Store.GetRunAsync(runId, Ct))!.SourceChunkCount);
        Assert.True(await Store.IsUnitDoneAsync(source.Key, Ct));
        Assert.Equal([0, 1], await Store.ListDoneChunksAsync(runId, "source", Ct));
        Assert.Equal(new UnitCounts(1, 1, 3, 0), await Store.CountUnitsAsync(runId, Ct));
        Assert.False(await Store.RenewLeaseAsync(source, Lease, T0.AddSeconds(4), Ct));
    }

    [Fact]
    public async Task Commit_enqueues_units_as_pending_only_where_absent()
    {
        var runId = await AddRunAsync();
        await Store.EnqueueUnitsAsync([Chunk(runId, "clean", 0), Chunk(runId, "clean", 1)], Ct);
        var unit = (await Store.ClaimUnitAsync("w1", Lease, T0, Ct))!;
        await Store.CommitUnitAsync(unit, new UnitCommit(unit.Key), T0, Ct);
        var other = (await Store.ClaimUnitAsync("w1", Lease, T0, Ct))!;

        await Store.CommitUnitAsync(other,
            new UnitCommit(other.Key) { Enqueue = [unit.Key, Chunk(runId, "enrich", 0), Chunk(runId, "enrich", 1)] }, T0, Ct);
        await Store.EnqueueUnitsAsync([unit.Key, Chunk(runId, "enrich", 0)], Ct);

        Assert.Equal(new UnitCounts(2, 0, 2, 0), await Store.CountUnitsAsync(runId, Ct));
        Assert.True(await Store.IsUnitDoneAsync(unit.Key, Ct));
        var claimed = (await Store.ClaimUnitAsync("w1", Lease, T0, Ct))!;
        Assert.Equal(Chunk(runId, "enrich", 0), claimed.Key);
        Assert.Equal(2, claimed.Key.Position);
    }

    [Fact]
    public async Task Commit_of_an_assemble_unit_does_not_count_as_a_chunk()
    {
        var runId = await AddRunAsync();
        await Store.EnqueueUnitsAsync([new UnitKey(runId, UnitKind.Assemble, "clean", 0, 1)], Ct);
        var unit = (await Store.ClaimUnitAsync("w1", Lease, T0, Ct))!;

        var result = await Store.CommitUnitAsync(unit, new UnitCommit(unit.Key), T0, Ct);

        Assert.Equal(new CommitResult(true, 0, null), result);
        Assert.Equal(0, (await GetBlockAsync(runId, "clean")).ChunksDone);
        Assert.Empty(await Store.ListDoneChunksAsync(runId, "clean", Ct));
    }

    [Fact]
    public async Task Fail_marks_a_leased_unit_failed_and_is_fenced()
    {
        var runId = await AddRunAsync();
        await Store.EnqueueUnitsAsync([Chunk(runId, "clean", 0)], Ct);
        var unit = (await Store.ClaimUnitAsync("w1", Lease, T0, Ct))!;

        Assert.False(await Store.FailUnitAsync(unit with { LeaseToken = Guid.NewGuid() }, "nope", T0, Ct));
        Assert.True(await Store.FailUnitAsync(unit, "provider returned 401", T0, Ct));

        Assert.Equal(new UnitCounts(0, 0, 0, 1), await Store.CountUnitsAsync(runId, Ct));
        Assert.False((await Store.CommitUnitAsync(unit, new UnitCommit(unit.Key), T0, Ct)).Committed);
        Assert.Null(await Store.ClaimUnitAsync("w1", Lease, T0.AddHours(1), Ct));
    }

    [Fact]
    public async Task Retry_failed_units_makes_them_pending_again()
    {
        var runId = await AddRunAsync();
        var otherRun = await AddRunAsync();
        await Store.EnqueueUnitsAsync([Chunk(runId, "clean", 0), Chunk(otherRun, "clean", 0)], Ct);
        foreach (var _ in Enumerable.Range(0, 2))
        {
            var unit = (await Store.ClaimUnitAsync("w1", Lease, T0, Ct))!;
            await Store.FailUnitAsync(unit, "boom", T0, Ct);
        }

        await Store.RetryFailedUnitsAsync(runId, Ct);

        Assert.Equal(new UnitCounts(1, 0, 0, 0), await Store.CountUnitsAsync(runId, Ct));
        Assert.Equal(new UnitCounts(0, 0, 0, 1), await Store.CountUnitsAsync(otherRun, Ct));
        var retried = (await Store.ClaimUnitAsync("w1", Lease, T0.AddSeconds(1), Ct))!;
        Assert.Equal(Chunk(runId, "clean", 0), retried.Key);
        Assert.Equal(2, retried.Attempt);
    }

    [Fact]
    public async Task Done_chunks_are_listed_per_block_in_order()
    {
        var runId = await AddRunAsync();
        await Store.EnqueueUnitsAsync([.. new[] { 2, 0, 1 }.Select(c => Chunk(runId, "clean", c)), Chunk(runId, "enrich", 0)], Ct);
        while (await Store.ClaimUnitAsync("w1", Lease, T0, Ct) is { } unit)
        {
            if (unit.Key.Chunk != 1)
            {
                await Store.CommitUnitAsync(unit, new UnitCommit(unit.Key), T0, Ct);
            }
        }

        Assert.Equal([0, 2], await Store.ListDoneChunksAsync(runId, "clean", Ct));
        Assert.Equal([0], await Store.ListDoneChunksAsync(runId, "enrich", Ct));
        Assert.False(await Store.IsUnitDoneAsync(Chunk(runId, "clean", 1), Ct));
        Assert.False(await Store.IsUnitDoneAsync(Chunk(runId, "clean", 7), Ct));
        Assert.Equal(new UnitCounts(0, 1, 3, 0), await Store.CountUnitsAsync(runId, Ct));
    }

    [Fact]
    public async Task A_fused_commit_records_every_block_done_with_its_own_counters_and_the_lease_as_output_tag()
    {
        var runId = await AddRunAsync();
        await Store.EnqueueUnitsAsync([Chunk(runId, "clean", 3)], Ct);
        var unit = (await Store.ClaimUnitAsync("w1", Lease, T0, Ct))!;
        var fused = new UnitCounters(RowsIn: 7, RowsOut: 5, RowsRejected: 2, RowsFailed: 0);

        var result = await Store.CommitUnitAsync(unit,
            new UnitCommit(Chunk(runId, "enrich", 3)) { Counters = fused, AlsoDone = [(unit.Key, TenIn)] }, T0.AddSeconds(1), Ct);

        Assert.True(result.Committed);
        Assert.Equal((10L, 7L, 1), ((await GetBlockAsync(runId, "clean")).RowsIn, (await GetBlockAsync(runId, "clean")).RowsOut, (await GetBlockAsync(runId, "clean")).ChunksDone));
        Assert.Equal((7L, 5L, 1), ((await GetBlockAsync(runId, "enrich")).RowsIn, (await GetBlockAsync(runId, "enrich")).RowsOut, (await GetBlockAsync(runId, "enrich")).ChunksDone));
        Assert.Equal([new ChunkOutputRecord(3, 7, unit.LeaseToken)], await Store.ListChunkOutputsAsync(runId, "clean", Ct));
        Assert.Equal(new ChunkOutputRecord(3, 5, unit.LeaseToken), await Store.GetChunkOutputAsync(Chunk(runId, "enrich", 3), Ct));
        Assert.Equal(new UnitCounts(0, 0, 2, 0), await Store.CountUnitsAsync(runId, Ct));
    }

    [Fact]
    public async Task The_output_tag_of_a_chunk_is_the_first_committing_lease_and_never_changes()
    {
        var runId = await AddRunAsync();
        await Store.EnqueueUnitsAsync([Source(runId)], Ct);
        var first = (await Store.ClaimUnitAsync("w1", Lease, T0, Ct))!;
        await Store.CommitUnitAsync(first, new UnitCommit(Chunk(runId, "source", 0)) { Counters = TenIn, FinishesLease = false }, T0, Ct);
        var second = (await Store.ClaimUnitAsync("w2", Lease, T0 + Lease + TimeSpan.FromSeconds(1), Ct))!;

        await Store.CommitUnitAsync(second, new UnitCommit(Chunk(runId, "source", 0)) { Counters = TenIn, FinishesLease = false }, T0.AddMinutes(2), Ct);

        Assert.Equal(first.LeaseToken, (await Store.GetChunkOutputAsync(Chunk(runId, "source", 0), Ct))!.Value.OutputTag);
        Assert.Null(await Store.GetChunkOutputAsync(Chunk(runId, "source", 1), Ct));
    }
}

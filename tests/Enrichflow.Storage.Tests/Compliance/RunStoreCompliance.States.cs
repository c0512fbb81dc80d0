using Enrichflow.Core.Storage;
using Enrichflow.Engine.States;

namespace Enrichflow.Storage.Tests.Compliance;

/// <summary>
/// The store's status guards are the atomic fence of the engine's state tables: every (status, event) pair is tried
/// against the store, and the store must apply exactly the transitions <see cref="RunStates"/>,
/// <see cref="BlockStates"/> and <see cref="UnitStates"/> allow, landing on the status they name.
/// </summary>
public abstract partial class RunStoreCompliance
{
    [Fact]
    public async Task Run_transitions_are_applied_exactly_where_the_run_table_allows_them()
    {
        var wrong = new List<string>();
        foreach (var from in Enum.GetValues<RunStatus>())
        {
            foreach (var @event in Enum.GetValues<RunEvent>())
            {
                var runId = await AddRunAsync(from);
                var applied = await Store.ApplyAsync(runId, @event, T0, null, null, Ct);
                var after = (await Store.GetRunAsync(runId, Ct))!.Status;
                Check(wrong, from, @event, RunStates.Next(from, @event), applied, after);
            }
        }

        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
    }

    [Fact]
    public async Task Units_are_claimed_only_from_runs_the_run_table_says_run_units()
    {
        var wrong = new List<string>();
        foreach (var status in Enum.GetValues<RunStatus>())
        {
            // A pending unit, and a unit whose lease ran out while the run moved to this status.
            var pending = await AddRunAsync(status);
            await Store.EnqueueUnitsAsync([Chunk(pending, "clean", 0)], Ct);
            var claimed = await Store.ClaimUnitAsync("w1", Lease, T0, Ct);
            if ((claimed is not null) != RunStates.RunsUnits(status))
            {
                wrong.Add($"a pending unit of a {status} run was {(claimed is null ? "not " : "")}claimed");
            }

            var expired = await AddRunAsync(RunStatus.Running);
            await Store.EnqueueUnitsAsync([Chunk(expired, "clean", 0)], Ct);
            Assert.Equal(expired, (await Store.ClaimUnitAsync("w1", Lease, T0, Ct))?.Key.RunId);
            await Store.TransitionRunAsync(expired, [RunStatus.Running], status, T0, null, null, Ct);
            claimed = await Store.ClaimUnitAsync("w1", Lease, T0.AddHours(1), Ct);
            if ((claimed is not null) != RunStates.RunsUnits(status))
            {
                wrong.Add($"a unit with an expired lease of a {status} run was {(claimed is null ? "not " : "")}claimed");
            }

            await RetireAsync(pending);
            await RetireAsync(expired);
        }

        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
    }

    [Fact]
    public async Task Block_transitions_are_applied_exactly_where_the_block_table_allows_them()
    {
        var wrong = new List<string>();
        foreach (var from in Enum.GetValues<BlockStatus>())
        {
            foreach (var @event in Enum.GetValues<BlockEvent>())
            {
                var runId = await AddRunWithBlockAsync(from);
                var applied = await Store.ApplyAsync(runId, "clean", @event, T0, null, Ct);
                Check(wrong, from, @event, BlockStates.Next(from, @event), applied, (await GetBlockAsync(runId, "clean")).Status);
            }
        }

        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
    }

    [Fact]
    public async Task A_chunk_claim_starts_its_block_exactly_where_the_block_table_allows()
    {
        var wrong = new List<string>();
        foreach (var from in Enum.GetValues<BlockStatus>())
        {
            var runId = await AddRunWithBlockAsync(from);
            await Store.EnqueueUnitsAsync([Chunk(runId, "clean", 0)], Ct);
            Assert.Equal(runId, (await Store.ClaimUnitAsync("w1", Lease, T0, Ct))?.Key.RunId);
            var after = (await GetBlockAsync(runId, "clean")).Status;
            var expected = BlockStates.Next(from, BlockEvent.Start);
            Check(wrong, from, BlockEvent.Start, expected, after != from, after);
            await RetireAsync(runId);
        }

        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
    }

    [Fact]
    public async Task Unit_transitions_are_applied_exactly_where_the_unit_table_allows_them()
    {
        var wrong = new List<string>();
        foreach (var from in Enum.GetValues<UnitStatus>())
        {
            foreach (var @event in Enum.GetValues<UnitEvent>())
            {
                // Another run's unit, claimed first, records this one as done alongside its own commit.
                var helper = @event == UnitEvent.CommitAlongside ? await HelperUnitAsync() : null;
                var (runId, key, lease) = await UnitInAsync(from);
                var held = lease ?? new ClaimedUnit(key, Guid.NewGuid(), 1, T0 + Lease);
                var expected = UnitStates.Next(from, @event);
                bool applied;
                switch (@event)
                {
                    case UnitEvent.Claim:
                        applied = (await Store.ClaimUnitAsync("w2", Lease, T0.AddSeconds(1), Ct))?.Key == key;
                        break;
                    case UnitEvent.LeaseExpired:
                        // Past every lease, a claim also takes a pending unit (Claim): both rows of the table apply.
                        applied = (await Store.ClaimUnitAsync("w2", Lease, T0.AddHours(1), Ct))?.Key == key;
                        expected ??= UnitStates.Next(from, UnitEvent.Claim);
                        break;
                    case UnitEvent.Renew:
                        applied = await Store.RenewLeaseAsync(held, Lease, T0.AddSeconds(1), Ct);
                        break;
                    case UnitEvent.Commit:
                        applied = (await Store.CommitUnitAsync(held, new UnitCommit(key), T0.AddSeconds(1), Ct)).Committed;
                        break;
                    case UnitEvent.CommitAlongside:
                        var rowsIn = (await GetBlockAsync(runId, "clean")).RowsIn;
                        var commit = new UnitCommit(helper!.Key) { AlsoDone = [(key, new UnitCounters(1, 1, 0, 0))] };
                        Assert.True((await Store.CommitUnitAsync(helper, commit, T0.AddSeconds(1), Ct)).Committed);
                        applied = (await GetBlockAsync(runId, "clean")).RowsIn == rowsIn + 1;
                        break;
                    case UnitEvent.Fail:
                        applied = await Store.FailUnitAsync(held, "boom", T0.AddSeconds(1), Ct);
                        break;
                    case UnitEvent.Retry:
                        await Store.RetryFailedUnitsAsync(runId, Ct);
                        applied = await UnitStatusAsync(runId) != from;
                        break;
                    default:
                        throw new InvalidOperationException($"No store operation for {@event}.");
                }

                Check(wrong, from, @event, expected, applied, await UnitStatusAsync(runId));
                if (helper is not null)
                {
                    await RetireAsync(helper.Key.RunId);
                }

                await RetireAsync(runId);
            }
        }

        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
    }

    private static void Check<TState, TEvent>(List<string> wrong, TState from, TEvent @event, TState? expected, bool applied, TState after)
        where TState : struct, Enum
        where TEvent : struct, Enum
    {
        if (applied != expected is not null || !after.Equals(expected ?? from))
        {
            wrong.Add($"{from} --{@event}--> store {(applied ? "applied" : "refused")} it and left {after}; " +
                $"the table says {(expected is { } to ? $"{to}" : "refused")}");
        }
    }

    private async Task<Guid> AddRunWithBlockAsync(BlockStatus status)
    {
        var run = NewRun(RunStatus.Running);
        await Store.CreateRunAsync(run, [.. Blocks(run.Id).Select(b => b.BlockId == "clean" ? b with { Status = status } : b)], Ct);
        return run.Id;
    }

    /// <summary>A running run with one unit (chunk 0 of <c>clean</c>) in <paramref name="status"/>, and the unit's last lease.</summary>
    private async Task<(Guid RunId, UnitKey Key, ClaimedUnit? Lease)> UnitInAsync(UnitStatus status)
    {
        var runId = await AddRunAsync();
        var key = Chunk(runId, "clean", 0);
        await Store.EnqueueUnitsAsync([key], Ct);
        if (status == UnitStatus.Pending)
        {
            return (runId, key, null);
        }

        var lease = (await Store.ClaimUnitAsync("w1", Lease, T0, Ct))!;
        Assert.Equal(key, lease.Key);
        if (status == UnitStatus.Done)
        {
            Assert.True((await Store.CommitUnitAsync(lease, new UnitCommit(key), T0, Ct)).Committed);
        }
        else if (status == UnitStatus.Failed)
        {
            Assert.True(await Store.FailUnitAsync(lease, "boom", T0, Ct));
        }

        Assert.Equal(status, await UnitStatusAsync(runId));
        return (runId, key, lease);
    }

    private async Task<ClaimedUnit> HelperUnitAsync()
    {
        var runId = await AddRunAsync();
        await Store.EnqueueUnitsAsync([Chunk(runId, "clean", 0)], Ct);
        var unit = (await Store.ClaimUnitAsync("w1", Lease, T0, Ct))!;
        Assert.Equal(runId, unit.Key.RunId);
        return unit;
    }

    /// <summary>The status of the run's only unit.</summary>
    private async Task<UnitStatus> UnitStatusAsync(Guid runId) =>
        await Store.CountUnitsAsync(runId, Ct) switch
        {
            { Pending: 1, Running: 0, Done: 0, Failed: 0 } => UnitStatus.Pending,
            { Pending: 0, Running: 1, Done: 0, Failed: 0 } => UnitStatus.Running,
            { Pending: 0, Running: 0, Done: 1, Failed: 0 } => UnitStatus.Done,
            { Pending: 0, Running: 0, Done: 0, Failed: 1 } => UnitStatus.Failed,
            var counts => throw new InvalidOperationException($"Run {runId} should have one unit: {counts}."),
        };

    /// <summary>Ends a run so that its units are never claimed again by the next case.</summary>
    private Task RetireAsync(Guid runId) => Store.TransitionRunAsync(runId, Enum.GetValues<RunStatus>(), RunStatus.Cancelled, T0, null, null, Ct);
}

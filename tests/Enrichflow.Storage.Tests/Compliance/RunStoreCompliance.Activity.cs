using Enrichflow.Core.Storage;

namespace Enrichflow.Storage.Tests.Compliance;

/// <summary>The store-wide counts behind the runs-by-status and queue-depth metrics.</summary>
public abstract partial class RunStoreCompliance
{
    [Fact]
    public async Task Activity_counts_runs_by_status_and_the_units_waiting_and_leased()
    {
        var before = await Store.CountActivityAsync(Ct);
        var running = await AddRunAsync(RunStatus.Running);
        await AddRunAsync(RunStatus.Completed);
        await AddRunAsync(RunStatus.Completed);
        await Store.EnqueueUnitsAsync([Chunk(running, "clean", 0), Chunk(running, "clean", 1), Chunk(running, "clean", 2)], Ct);
        Assert.NotNull(await Store.ClaimUnitAsync("w1", Lease, T0, Ct));

        var after = await Store.CountActivityAsync(Ct);

        Assert.Equal(before.RunsByStatus.GetValueOrDefault(RunStatus.Running) + 1, after.RunsByStatus[RunStatus.Running]);
        Assert.Equal(before.RunsByStatus.GetValueOrDefault(RunStatus.Completed) + 2, after.RunsByStatus[RunStatus.Completed]);
        Assert.Equal(before.UnitsPending + 2, after.UnitsPending);
        Assert.Equal(before.UnitsRunning + 1, after.UnitsRunning);
    }
}

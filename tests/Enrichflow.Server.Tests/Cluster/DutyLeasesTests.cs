using Enrichflow.Engine;
using Enrichflow.Hosting;
using Enrichflow.Hosting.Duties;
using Enrichflow.Storage.Postgres;
using Enrichflow.Storage.Sqlite;
using Enrichflow.Server.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Enrichflow.Server.Tests.Cluster;

/// <summary>
/// <see cref="DutyLeases"/> and <see cref="LeasedDuty"/> on a real store (docs/architecture.md §5): the only node of
/// a store takes every duty at start whoever held it, a cluster node waits for a holder's lease, and a node that
/// stops hands its duties on at once.
/// </summary>
public sealed class DutyLeasesTests
{
    private static readonly TimeSpan Forever = TimeSpan.FromHours(1);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_only_node_of_a_store_holds_every_duty_from_its_first_pass_although_a_killed_process_held_them()
    {
        var data = ServerProcessClient.NewDataDirectory();
        await using var store = new SqliteStore(Path.Combine(data, "enrichflow.db"));
        await store.MigrateAsync(Ct);
        // A killed process of another id holds the duty for an hour.
        Assert.NotNull(await store.TryTakeDutyAsync(DutyNames.Scheduler, "killed:1#00000000", Forever, Ct));

        await using var node = Node(store, "embedded");
        var duty = node.For(DutyNames.Scheduler);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        Assert.True(await duty.WaitUntilHeldAsync(timeout.Token));
        Assert.True(duty.IsHeld);
        Assert.False(await duty.WaitUntilHeldAsync(Ct));
        Assert.Equal(node.NodeId, (await store.GetDutyAsync(DutyNames.Scheduler, Ct))?.Holder);
        Assert.StartsWith($"{Environment.MachineName}:{Environment.ProcessId}#", node.NodeId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cluster_node_waits_while_another_holds_the_duty_and_takes_it_once_the_holder_stops()
    {
        await using var store = new PostgresStore(await TestBackends.NewPostgresDatabaseAsync("duties_", Ct));
        await store.MigrateAsync(Ct);
        var holder = Node(store, "hangfire");
        await using var waiter = Node(store, "hangfire");
        Assert.NotEqual(holder.NodeId, waiter.NodeId);
        Assert.True(await holder.For(DutyNames.WebhookDelivery).WaitUntilHeldAsync(Ct));

        // The waiter does not get the duty while the holder renews it, for longer than one lease.
        var waiting = waiter.For(DutyNames.WebhookDelivery).WaitUntilHeldAsync(Ct);
        await Task.Delay(TimeSpan.FromSeconds(5), Ct);
        Assert.False(waiting.IsCompleted);
        Assert.Equal(holder.NodeId, (await store.GetDutyAsync(DutyNames.WebhookDelivery, Ct))?.Holder);

        // A node that stops releases its duties: the waiter takes over at its next try, long before the lease would run out.
        await holder.DisposeAsync();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        Assert.True(await waiting.WaitAsync(timeout.Token));
        Assert.True(waiter.For(DutyNames.WebhookDelivery).IsHeld);
        Assert.Equal(waiter.NodeId, (await store.GetDutyAsync(DutyNames.WebhookDelivery, Ct))?.Holder);
    }

    /// <summary>A node on <paramref name="dispatch"/> whose duty leases last 3 s (renewed, and waited for, every second).</summary>
    private static DutyLeases Node(Core.Storage.IDutyLeaseStore store, string dispatch) => new(
        store,
        Options.Create(new DutyOptions { Lease = TimeSpan.FromSeconds(3) }),
        Options.Create(new EngineOptions()),
        Options.Create(new DispatchOptions { Kind = dispatch }),
        NullLogger<DutyLeases>.Instance);
}

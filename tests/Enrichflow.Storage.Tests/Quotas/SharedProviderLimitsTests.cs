using System.Diagnostics;
using Enrichflow.Core.Storage;
using Enrichflow.Providers;
using Enrichflow.Providers.Limits;
using Enrichflow.Storage.Tests.Postgres;
using Enrichflow.Storage.Tests.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Enrichflow.Storage.Tests.Quotas;

/// <summary>
/// Three nodes, each with limiters of its own (as three processes would have), over one store: together they keep
/// the provider's limits, which each alone would exceed three times over.
/// </summary>
public abstract class SharedProviderLimitsTests : IAsyncLifetime
{
    private readonly List<(SharedProviderLimits Shared, ProviderLimiters Limiters)> _nodes = [];
    private IProviderQuotaStore? _store;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract ValueTask<IProviderQuotaStore> CreateStoreAsync(CancellationToken cancellationToken);

    public async ValueTask InitializeAsync()
    {
        _store = await CreateStoreAsync(Ct);
        for (var i = 0; i < 3; i++)
        {
            var options = new SharedLimitsOptions { Node = $"node-{i}", RenewEvery = TimeSpan.FromMilliseconds(200) };
            var shared = new SharedProviderLimits(_store, Options.Create(options), TimeProvider.System, NullLogger<SharedProviderLimits>.Instance);
            _nodes.Add((shared, new ProviderLimiters(TimeProvider.System, shared)));
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (shared, limiters) in _nodes)
        {
            await shared.DisposeAsync();
            limiters.Dispose();
        }

        if (_store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Three_nodes_together_send_no_more_requests_than_the_cluster_rate_allows()
    {
        // 120 a minute: paced at 98%, one request per 0.51 s, and one token life (1 s) of burst. Alone, each node would
        // send 2 a second.
        var limits = new ProviderLimits(RequestsPerMinute: 120, MaxConcurrency: 0, TimeSpan.FromSeconds(30), 0);
        var interval = TimeSpan.FromMinutes(1) / (120 * RequestQuotaRule.PacingShare);
        var clock = Stopwatch.StartNew();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var waiters = _nodes.Select(node => Enumerable.Range(0, 50)
            .Select(_ => node.Limiters.For("p", limits).AcquireRequestAsync("org", stop.Token).AsTask()).ToList()).ToList();

        await Task.Delay(TimeSpan.FromSeconds(4), Ct);
        var granted = waiters.Select(node => node.Count(waiter => waiter.IsCompletedSuccessfully)).ToList();
        var elapsed = clock.Elapsed;
        await stop.CancelAsync();

        var allowed = (int)((elapsed + TimeSpan.FromSeconds(1)) / interval) + 1;
        Assert.InRange(granted.Sum(), 6, allowed);
    }

    [Fact]
    public async Task Three_nodes_together_never_have_more_calls_in_flight_than_the_limit_and_all_finish()
    {
        var limits = new ProviderLimits(RequestsPerMinute: 0, MaxConcurrency: 4, TimeSpan.FromSeconds(30), 0);
        var inFlight = 0;
        var most = 0;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));

        var calls = _nodes.SelectMany(node => Enumerable.Range(0, 12).Select(_ => Task.Run(async () =>
        {
            using (await node.Limiters.For("p", limits).AcquireSlotAsync("org", Guid.Empty, 0, timeout.Token))
            {
                var now = Interlocked.Increment(ref inFlight);
                InterlockedMax(ref most, now);
                await Task.Delay(TimeSpan.FromMilliseconds(100), timeout.Token);
                Interlocked.Decrement(ref inFlight);
            }
        }, timeout.Token))).ToList();

        await Task.WhenAll(calls);
        Assert.InRange(most, 1, 4);
        Assert.All(calls, call => Assert.True(call.IsCompletedSuccessfully));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}

public sealed class SqliteSharedProviderLimitsTests(SqliteStoreFixture sqlite) : SharedProviderLimitsTests
{
    protected override async ValueTask<IProviderQuotaStore> CreateStoreAsync(CancellationToken cancellationToken) =>
        await sqlite.CreateAsync(cancellationToken);
}

public sealed class PostgresSharedProviderLimitsTests(PostgresStoreFixture postgres) : SharedProviderLimitsTests
{
    protected override async ValueTask<IProviderQuotaStore> CreateStoreAsync(CancellationToken cancellationToken) =>
        await postgres.CreateAsync(cancellationToken);
}

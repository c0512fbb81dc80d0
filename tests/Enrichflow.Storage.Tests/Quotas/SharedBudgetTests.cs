using Enrichflow.Core.Blocks;
using Enrichflow.Core.Storage;
using Enrichflow.Providers;
using Enrichflow.Providers.Limits;
using Enrichflow.Providers.Orgs;
using Enrichflow.Storage.Tests.Postgres;
using Enrichflow.Storage.Tests.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Enrichflow.Storage.Tests.Quotas;

/// <summary>
/// Two processes' budgets over one store (as two workers of a cluster would hold them): what one spends, the other
/// counts, so a run's <c>max_credits</c> and an organization's credits per day hold for the cluster.
/// </summary>
public abstract class SharedBudgetTests : IAsyncLifetime
{
    private static readonly Guid RunId = Guid.NewGuid();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract ValueTask<(IUsageStore Usage, IOrgLimitStore Limits, IProviderQuotaStore Quotas)> CreateStoreAsync(CancellationToken cancellationToken);

    private (IUsageStore Usage, IOrgLimitStore Limits, IProviderQuotaStore Quotas) _store;

    public async ValueTask InitializeAsync() => _store = await CreateStoreAsync(Ct);

    public async ValueTask DisposeAsync()
    {
        if (_store.Usage is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task A_run_budget_counts_what_another_process_spent()
    {
        var (first, firstShared) = Budget();
        var (second, secondShared) = Budget();
        await using (firstShared)
        await using (secondShared)
        {
            var context = Context(maxCredits: 10);
            RunBudget.Settle(await second.ReserveAsync(context, 1, Ct), 0);

            for (var i = 0; i < 10; i++)
            {
                await SpendAsync(first, context, 1);
            }

            var paused = await Assert.ThrowsAsync<RunPauseException>(async () => await second.ReserveAsync(context, 1, Ct));
            Assert.Contains("budget of 10 credits is reached (10 spent)", paused.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_organizations_credits_per_day_count_what_another_process_spent()
    {
        await _store.Limits.SetOrgLimitsAsync(new OrgLimits("org", CreditsPerDay: 5), Ct);
        var (first, firstShared) = Budget();
        var (second, secondShared) = Budget();
        await using (firstShared)
        await using (secondShared)
        {
            var context = Context(maxCredits: null);
            RunBudget.Settle(await second.ReserveAsync(context, 1, Ct), 0);

            for (var i = 0; i < 5; i++)
            {
                await SpendAsync(first, context, 1);
            }

            var paused = await Assert.ThrowsAsync<RunPauseException>(async () => await second.ReserveAsync(context, 1, Ct));
            Assert.Contains("has used 5 of its 5 credits per day (credits_per_day)", paused.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>One process's budgets: its own accounts, the spent credits read again at every call.</summary>
    private (RunBudget Budget, SharedProviderLimits Shared) Budget()
    {
        var options = Options.Create(new SharedLimitsOptions { SpentRefresh = TimeSpan.Zero });
        var shared = new SharedProviderLimits(_store.Quotas, options, TimeProvider.System, NullLogger<SharedProviderLimits>.Instance);
        var limits = new OrgLimitsSource(_store.Limits, Options.Create(new OrgLimitsOptions()), TimeProvider.System);
        var org = new OrgCredits(_store.Limits, limits, TimeProvider.System, shared);
        return (new RunBudget(_store.Usage, org, TimeProvider.System, shared), shared);
    }

    /// <summary>A paid call as the enrichment caller makes it: reserve, write its cost to the usage store, settle.</summary>
    private async Task SpendAsync(RunBudget budget, BlockRunContext context, double cost)
    {
        var reservation = await budget.ReserveAsync(context, cost, Ct);
        await _store.Usage.AddUsageAsync(
            [new UsageIncrement(context.OrgId, context.RunId, context.BlockId, "p", DateOnly.FromDateTime(DateTime.UtcNow), Calls: 1, Credits: cost)], Ct);
        RunBudget.Settle(reservation, cost);
    }

    private static BlockRunContext Context(double? maxCredits) => new()
    {
        RunId = RunId,
        OrgId = "org",
        BlockId = "enrich",
        Services = new ServiceCollection().BuildServiceProvider(),
        Enrichment = new RunEnrichmentSettings(MaxCredits: maxCredits),
    };
}

public sealed class SqliteSharedBudgetTests(SqliteStoreFixture sqlite) : SharedBudgetTests
{
    protected override async ValueTask<(IUsageStore Usage, IOrgLimitStore Limits, IProviderQuotaStore Quotas)> CreateStoreAsync(CancellationToken cancellationToken)
    {
        var store = await sqlite.CreateAsync(cancellationToken);
        return (store, store, store);
    }
}

public sealed class PostgresSharedBudgetTests(PostgresStoreFixture postgres) : SharedBudgetTests
{
    protected override async ValueTask<(IUsageStore Usage, IOrgLimitStore Limits, IProviderQuotaStore Quotas)> CreateStoreAsync(CancellationToken cancellationToken)
    {
        var store = await postgres.CreateAsync(cancellationToken);
        return (store, store, store);
    }
}

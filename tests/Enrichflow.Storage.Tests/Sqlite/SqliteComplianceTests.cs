using Enrichflow.Core.Storage;
using Enrichflow.Storage.Tests.Compliance;

namespace Enrichflow.Storage.Tests.Sqlite;

// The SQLite store against each compliance suite: a fresh database per test from the shared fixture.

public sealed class SqliteRunStoreTests(SqliteStoreFixture sqlite) : RunStoreCompliance
{
    protected override async ValueTask<IRunStore> CreateStoreAsync(CancellationToken cancellationToken) => await sqlite.CreateAsync(cancellationToken);
}

public sealed class SqliteWorkflowStoreTests(SqliteStoreFixture sqlite) : WorkflowStoreCompliance
{
    protected override async ValueTask<IWorkflowStore> CreateStoreAsync(CancellationToken cancellationToken) => await sqlite.CreateAsync(cancellationToken);
}

public sealed class SqliteAccountStoreTests(SqliteStoreFixture sqlite) : AccountStoreCompliance
{
    protected override async ValueTask<IAccountStore> CreateStoreAsync(CancellationToken cancellationToken) => await sqlite.CreateAsync(cancellationToken);
}

public sealed class SqliteKeyIndexStoreTests(SqliteStoreFixture sqlite) : KeyIndexStoreCompliance
{
    protected override async ValueTask<IKeyIndexStore> CreateStoreAsync(CancellationToken cancellationToken) => await sqlite.CreateAsync(cancellationToken);
}

public sealed class SqliteNotebookStoreTests(SqliteStoreFixture sqlite) : NotebookStoreCompliance
{
    protected override async ValueTask<INotebookStore> CreateStoreAsync(CancellationToken cancellationToken) => await sqlite.CreateAsync(cancellationToken);
}

public sealed class SqliteExportLedgerTests(SqliteStoreFixture sqlite) : ExportLedgerCompliance
{
    protected override async ValueTask<IExportLedger> CreateLedgerAsync(CancellationToken cancellationToken) => await sqlite.CreateAsync(cancellationToken);
}

public sealed class SqliteProviderCacheTests(SqliteStoreFixture sqlite) : ProviderCacheCompliance
{
    protected override async ValueTask<IProviderCache> CreateCacheAsync(CancellationToken cancellationToken) => await sqlite.CreateAsync(cancellationToken);
}

public sealed class SqliteProviderJobStoreTests(SqliteStoreFixture sqlite) : ProviderJobStoreCompliance
{
    protected override async ValueTask<IProviderJobStore> CreateStoreAsync(CancellationToken cancellationToken) => await sqlite.CreateAsync(cancellationToken);
}

public sealed class SqliteUsageStoreTests(SqliteStoreFixture sqlite) : UsageStoreCompliance
{
    protected override async ValueTask<IUsageStore> CreateStoreAsync(CancellationToken cancellationToken) => await sqlite.CreateAsync(cancellationToken);
}

public sealed class SqliteWebhookDeliveryStoreTests(SqliteStoreFixture sqlite) : WebhookDeliveryStoreCompliance
{
    protected override async ValueTask<IWebhookDeliveryStore> CreateStoreAsync(CancellationToken cancellationToken) => await sqlite.CreateAsync(cancellationToken);
}

public sealed class SqliteScheduleStoreTests(SqliteStoreFixture sqlite) : ScheduleStoreCompliance
{
    protected override async ValueTask<(IScheduleStore Schedules, IWorkflowStore Workflows, IRunStore Runs)> CreateStoresAsync(CancellationToken cancellationToken)
    {
        var store = await sqlite.CreateAsync(cancellationToken);
        return (store, store, store);
    }
}

public sealed class SqliteOrgLimitStoreTests(SqliteStoreFixture sqlite) : OrgLimitStoreCompliance
{
    protected override async ValueTask<(IOrgLimitStore Limits, IRunStore Runs, IAccountStore Accounts, IUsageStore Usage)> CreateStoresAsync(CancellationToken cancellationToken)
    {
        var store = await sqlite.CreateAsync(cancellationToken);
        return (store, store, store, store);
    }
}

public sealed class SqliteRetentionStoreTests(SqliteStoreFixture sqlite) : RetentionStoreCompliance
{
    protected override async ValueTask<(IRetentionStore Retention, IRunStore Runs, IAccountStore Accounts)> CreateStoresAsync(CancellationToken cancellationToken)
    {
        var store = await sqlite.CreateAsync(cancellationToken);
        return (store, store, store);
    }
}

public sealed class SqliteProviderQuotaStoreTests(SqliteStoreFixture sqlite) : ProviderQuotaStoreCompliance
{
    protected override async ValueTask<IProviderQuotaStore> CreateStoreAsync(CancellationToken cancellationToken) =>
        await sqlite.CreateAsync(cancellationToken);
}

public sealed class SqliteDutyLeaseStoreTests(SqliteStoreFixture sqlite) : DutyLeaseStoreCompliance
{
    protected override async ValueTask<IDutyLeaseStore> CreateStoreAsync(CancellationToken cancellationToken) => await sqlite.CreateAsync(cancellationToken);
}

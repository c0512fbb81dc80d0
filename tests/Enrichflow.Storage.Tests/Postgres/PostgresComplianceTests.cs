using Enrichflow.Core.Storage;
using Enrichflow.Storage.Tests.Compliance;

namespace Enrichflow.Storage.Tests.Postgres;

// The PostgreSQL store against each compliance suite, unchanged: a fresh schema per test from the shared fixture.

public sealed class PostgresRunStoreTests(PostgresStoreFixture postgres) : RunStoreCompliance
{
    protected override async ValueTask<IRunStore> CreateStoreAsync(CancellationToken cancellationToken) => await postgres.CreateAsync(cancellationToken);
}

public sealed class PostgresWorkflowStoreTests(PostgresStoreFixture postgres) : WorkflowStoreCompliance
{
    protected override async ValueTask<IWorkflowStore> CreateStoreAsync(CancellationToken cancellationToken) => await postgres.CreateAsync(cancellationToken);
}

public sealed class PostgresAccountStoreTests(PostgresStoreFixture postgres) : AccountStoreCompliance
{
    protected override async ValueTask<IAccountStore> CreateStoreAsync(CancellationToken cancellationToken) => await postgres.CreateAsync(cancellationToken);
}

public sealed class PostgresKeyIndexStoreTests(PostgresStoreFixture postgres) : KeyIndexStoreCompliance
{
    protected override async ValueTask<IKeyIndexStore> CreateStoreAsync(CancellationToken cancellationToken) => await postgres.CreateAsync(cancellationToken);
}

public sealed class PostgresNotebookStoreTests(PostgresStoreFixture postgres) : NotebookStoreCompliance
{
    protected override async ValueTask<INotebookStore> CreateStoreAsync(CancellationToken cancellationToken) => await postgres.CreateAsync(cancellationToken);
}

public sealed class PostgresExportLedgerTests(PostgresStoreFixture postgres) : ExportLedgerCompliance
{
    protected override async ValueTask<IExportLedger> CreateLedgerAsync(CancellationToken cancellationToken) => await postgres.CreateAsync(cancellationToken);
}

public sealed class PostgresProviderCacheTests(PostgresStoreFixture postgres) : ProviderCacheCompliance
{
    protected override async ValueTask<IProviderCache> CreateCacheAsync(CancellationToken cancellationToken) => await postgres.CreateAsync(cancellationToken);
}

public sealed class PostgresProviderJobStoreTests(PostgresStoreFixture postgres) : ProviderJobStoreCompliance
{
    protected override async ValueTask<IProviderJobStore> CreateStoreAsync(CancellationToken cancellationToken) => await postgres.CreateAsync(cancellationToken);
}

public sealed class PostgresUsageStoreTests(PostgresStoreFixture postgres) : UsageStoreCompliance
{
    protected override async ValueTask<IUsageStore> CreateStoreAsync(CancellationToken cancellationToken) => await postgres.CreateAsync(cancellationToken);
}

public sealed class PostgresWebhookDeliveryStoreTests(PostgresStoreFixture postgres) : WebhookDeliveryStoreCompliance
{
    protected override async ValueTask<IWebhookDeliveryStore> CreateStoreAsync(CancellationToken cancellationToken) => await postgres.CreateAsync(cancellationToken);
}

public sealed class PostgresScheduleStoreTests(PostgresStoreFixture postgres) : ScheduleStoreCompliance
{
    protected override async ValueTask<(IScheduleStore Schedules, IWorkflowStore Workflows, IRunStore Runs)> CreateStoresAsync(CancellationToken cancellationToken)
    {
        var store = await postgres.CreateAsync(cancellationToken);
        return (store, store, store);
    }
}

public sealed class PostgresOrgLimitStoreTests(PostgresStoreFixture postgres) : OrgLimitStoreCompliance
{
    protected override async ValueTask<(IOrgLimitStore Limits, IRunStore Runs, IAccountStore Accounts, IUsageStore Usage)> CreateStoresAsync(CancellationToken cancellationToken)
    {
        var store = await postgres.CreateAsync(cancellationToken);
        return (store, store, store, store);
    }
}

public sealed class PostgresRetentionStoreTests(PostgresStoreFixture postgres) : RetentionStoreCompliance
{
    protected override async ValueTask<(IRetentionStore Retention, IRunStore Runs, IAccountStore Accounts)> CreateStoresAsync(CancellationToken cancellationToken)
    {
        var store = await postgres.CreateAsync(cancellationToken);
        return (store, store, store);
    }
}

public sealed class PostgresProviderQuotaStoreTests(PostgresStoreFixture postgres) : ProviderQuotaStoreCompliance
{
    protected override async ValueTask<IProviderQuotaStore> CreateStoreAsync(CancellationToken cancellationToken) =>
        await postgres.CreateAsync(cancellationToken);
}

public sealed class PostgresDutyLeaseStoreTests(PostgresStoreFixture postgres) : DutyLeaseStoreCompliance
{
    protected override async ValueTask<IDutyLeaseStore> CreateStoreAsync(CancellationToken cancellationToken) => await postgres.CreateAsync(cancellationToken);
}

using Enrichflow.Core.Storage;
using Enrichflow.Storage.Sqlite;
using Enrichflow.Storage.Tests.Compliance;

namespace Enrichflow.Storage.Tests.Sqlite;

public sealed class SqliteRunStoreTests : RunStoreCompliance
{
    private readonly TempDirectory _directory = new();

    protected override async ValueTask<IRunStore> CreateStoreAsync(CancellationToken cancellationToken) =>
        await SqliteTestStore.CreateAsync(_directory, cancellationToken);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }
}

public sealed class SqliteWorkflowStoreTests : WorkflowStoreCompliance
{
    private readonly TempDirectory _directory = new();

    protected override async ValueTask<IWorkflowStore> CreateStoreAsync(CancellationToken cancellationToken) =>
        await SqliteTestStore.CreateAsync(_directory, cancellationToken);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }
}

public sealed class SqliteAccountStoreTests : AccountStoreCompliance
{
    private readonly TempDirectory _directory = new();

    protected override async ValueTask<IAccountStore> CreateStoreAsync(CancellationToken cancellationToken) =>
        await SqliteTestStore.CreateAsync(_directory, cancellationToken);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }
}

internal static class SqliteTestStore
{
    public static async Task<SqliteStore> CreateAsync(TempDirectory directory, CancellationToken cancellationToken)
    {
        var store = new SqliteStore(directory.File("enrichflow.db"));
        await store.MigrateAsync(cancellationToken);
        return store;
    }
}

public sealed class SqliteKeyIndexStoreTests : KeyIndexStoreCompliance
{
    private readonly TempDirectory _directory = new();

    protected override async ValueTask<IKeyIndexStore> CreateStoreAsync(CancellationToken cancellationToken) =>
        await SqliteTestStore.CreateAsync(_directory, cancellationToken);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }
}

using Enrichflow.Core.Storage;
using Enrichflow.Storage.Tests.Compliance;

namespace Enrichflow.Storage.Tests.Sqlite;

public sealed class SqliteUsageStoreTests : UsageStoreCompliance
{
    private readonly TempDirectory _directory = new();

    protected override async ValueTask<IUsageStore> CreateStoreAsync(CancellationToken cancellationToken) =>
        await SqliteTestStore.CreateAsync(_directory, cancellationToken);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }
}

using Enrichflow.Storage.Sqlite;
using Enrichflow.Storage.Tests.Sqlite;
using Microsoft.Data.Sqlite;

[assembly: AssemblyFixture(typeof(SqliteStoreFixture))]

namespace Enrichflow.Storage.Tests.Sqlite;

/// <summary>
/// Throwaway SQLite stores for every SQLite test class (an assembly fixture, as in Npgsql's throwaway tables): each
/// store gets a database file of its own under one temp directory, which goes when the test run ends.
/// </summary>
public sealed class SqliteStoreFixture : IDisposable
{
    private readonly TempDirectory _root = new();

    /// <summary>A fresh, empty store with its schema in place, on a database file no other test uses.</summary>
    public async Task<SqliteStore> CreateAsync(CancellationToken cancellationToken)
    {
        var store = new SqliteStore(NewDatabasePath());
        await store.MigrateAsync(cancellationToken);
        return store;
    }

    /// <summary>The path of a database file that does not exist yet, in a directory that does not exist yet (the store creates both).</summary>
    public string NewDatabasePath() => _root.File(Path.Combine(Guid.NewGuid().ToString("N"), "enrichflow.db"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _root.Dispose();
    }
}

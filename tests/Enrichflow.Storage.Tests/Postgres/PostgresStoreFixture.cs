using Enrichflow.Storage.Postgres;
using Enrichflow.Storage.Tests.Postgres;
using Npgsql;

[assembly: AssemblyFixture(typeof(PostgresStoreFixture))]

namespace Enrichflow.Storage.Tests.Postgres;

/// <summary>
/// Throwaway PostgreSQL stores for every PostgreSQL test class: the first store makes a database of its own for this
/// test run on the server named by <c>ENRICHFLOW_TEST_POSTGRES</c> (dropped when the run ends), and each store gets a
/// fresh schema in it, migrated, that no other test uses.
/// </summary>
public sealed class PostgresStoreFixture : IAsyncDisposable
{
    public const string Variable = "ENRICHFLOW_TEST_POSTGRES";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _databaseConnection;
    private string? _serverConnection;
    private string? _database;

    /// <summary>A fresh, empty, migrated store in a schema of its own.</summary>
    public async Task<PostgresStore> CreateAsync(CancellationToken cancellationToken)
    {
        var connectionString = await NewSchemaAsync(cancellationToken);
        var store = new PostgresStore(connectionString);
        await store.MigrateAsync(cancellationToken);
        return store;
    }

    /// <summary>The connection string of a new, empty schema (as the store's search path) in this run's database.</summary>
    public async Task<string> NewSchemaAsync(CancellationToken cancellationToken)
    {
        var database = await DatabaseAsync(cancellationToken);
        var schema = "s_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return new NpgsqlConnectionStringBuilder(database) { SearchPath = schema }.ConnectionString;
    }

    private async Task<string> DatabaseAsync(CancellationToken cancellationToken)
    {
        if (_databaseConnection is { } ready)
        {
            return ready;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_databaseConnection is null)
            {
                var server = Environment.GetEnvironmentVariable(Variable);
                if (string.IsNullOrWhiteSpace(server))
                {
                    throw new InvalidOperationException(
                        $"{Variable} is not set: the PostgreSQL store tests need a server. Run ./test.sh (it starts one), or " +
                        $"scripts/postgres.sh start and then eval \"$(scripts/postgres.sh env)\" before dotnet test.");
                }

                var name = "enrichflow_test_" + Guid.NewGuid().ToString("N")[..12];
                await using (var connection = new NpgsqlConnection(server))
                {
                    await connection.OpenAsync(cancellationToken);
                    await using var command = new NpgsqlCommand($"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'", connection);
                    await command.ExecuteNonQueryAsync(cancellationToken);
                }

                _serverConnection = server;
                _database = name;
                _databaseConnection = new NpgsqlConnectionStringBuilder(server) { Database = name, MaxPoolSize = 10 }.ConnectionString;
            }

            return _databaseConnection;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_serverConnection is not null && _database is not null)
        {
            await using var connection = new NpgsqlConnection(_serverConnection);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }

        _gate.Dispose();
    }
}

using Enrichflow.Storage.Postgres;
using Enrichflow.Storage.Sqlite;
using Microsoft.Extensions.Options;

namespace Enrichflow.Hosting;

/// <summary>
/// Which store a process keeps its state in (docs/api.md §9): setting <c>Store</c> (<c>serve --store</c>) empty or
/// <c>sqlite</c> for the SQLite file in the data directory (the default), or a PostgreSQL database given as a
/// <c>postgres://user:password@host:port/database</c> URL or an Npgsql connection string.
/// </summary>
public static class StoreSetup
{
    public const string StoreSetting = "Store";

    public static IServiceCollection AddStore(this IServiceCollection services, IConfiguration configuration, string dataDirectory)
    {
        if (PostgresConnectionString(configuration) is { } postgres)
        {
            services.AddPostgresStore(postgres, sp => sp.GetRequiredService<ServerSecret>().DeriveEncryptionKey());
        }
        else
        {
            services.AddSqliteStore(Path.Combine(dataDirectory, "enrichflow.db"), sp => sp.GetRequiredService<ServerSecret>().DeriveEncryptionKey(),
                sp => sp.GetRequiredService<IOptions<EnrichflowOptions>>().Value.FlushBlobsToDisk);
        }

        return services;
    }

    /// <summary>The Npgsql connection string of a PostgreSQL store; null for SQLite (or a setting that is not valid: see <see cref="Problems"/>).</summary>
    public static string? PostgresConnectionString(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var store = configuration[StoreSetting];
        if (IsSqlite(store))
        {
            return null;
        }

        try
        {
            return PostgresConnection.Parse(store!);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>What is wrong with the store setting, naming it; empty when nothing is.</summary>
    public static IEnumerable<string> Problems(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var store = configuration[StoreSetting];
        if (IsSqlite(store))
        {
            return [];
        }

        try
        {
            PostgresConnection.Parse(store!);
            return [];
        }
        catch (FormatException e)
        {
            return [$"{StoreSetting} must be 'sqlite', a postgres://user:password@host:port/database URL or an Npgsql connection string: {e.Message}"];
        }
    }

    /// <summary>
    /// Applies the store's migrations. A PostgreSQL server that cannot be reached (or refuses the login) is an
    /// <see cref="IOException"/> naming the setting and the server (without its password).
    /// </summary>
    public static Task MigrateAsync(IServiceProvider services, IConfiguration configuration, CancellationToken cancellationToken) =>
        Usable(configuration, async () =>
        {
            await services.GetRequiredService<Core.Storage.IAccountStore>().MigrateAsync(cancellationToken);
            return true;
        });

    /// <summary>
    /// Applies the store's migrations (<c>enrichflow migrate</c>) and says what it did: the versions applied now (none
    /// when the schema was up to date) and the schema version reached. Failures as <see cref="MigrateAsync"/>.
    /// </summary>
    public static Task<MigrationReport> ApplyMigrationsAsync(IServiceProvider services, IConfiguration configuration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return Usable(configuration, async () =>
        {
            if (services.GetService<PostgresStore>() is { } postgres)
            {
                var applied = await postgres.ApplyMigrationsAsync(cancellationToken);
                var recorded = await postgres.GetAppliedMigrationsAsync(cancellationToken);
                return new MigrationReport($"PostgreSQL {PostgresConnection.Redact(configuration[StoreSetting]!)}", applied, recorded.Count > 0 ? recorded[^1] : 0);
            }

            var sqlite = services.GetRequiredService<SqliteStore>();
            var done = await sqlite.ApplyMigrationsAsync(cancellationToken);
            var versions = await sqlite.GetAppliedMigrationsAsync(cancellationToken);
            return new MigrationReport($"SQLite {sqlite.DatabasePath}", done, versions.Count > 0 ? versions[^1] : 0);
        });
    }

    /// <summary>Runs <paramref name="work"/> on the store; a PostgreSQL store that cannot be used becomes an <see cref="IOException"/> naming the setting, never the password.</summary>
    private static async Task<T> Usable<T>(IConfiguration configuration, Func<Task<T>> work)
    {
        try
        {
            return await work();
        }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException && configuration[StoreSetting] is { } store && !IsSqlite(store))
        {
            throw new IOException($"the store ({StoreSetting} = {PostgresConnection.Redact(store)}) cannot be used: {e.Message}", e);
        }
    }

    private static bool IsSqlite(string? store) => string.IsNullOrWhiteSpace(store) || store.Equals("sqlite", StringComparison.OrdinalIgnoreCase);
}

/// <summary>What a migration did: the store (never its password), the versions it applied, the schema version reached.</summary>
public sealed record MigrationReport(string Store, IReadOnlyList<int> Applied, int SchemaVersion);

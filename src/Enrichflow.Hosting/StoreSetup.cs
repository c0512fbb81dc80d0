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
    public static async Task MigrateAsync(IServiceProvider services, IConfiguration configuration, CancellationToken cancellationToken)
    {
        try
        {
            await services.GetRequiredService<Core.Storage.IAccountStore>().MigrateAsync(cancellationToken);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException && configuration[StoreSetting] is { } store && !IsSqlite(store))
        {
            throw new IOException($"the store ({StoreSetting} = {PostgresConnection.Redact(store)}) cannot be used: {e.Message}", e);
        }
    }

    private static bool IsSqlite(string? store) => string.IsNullOrWhiteSpace(store) || store.Equals("sqlite", StringComparison.OrdinalIgnoreCase);
}

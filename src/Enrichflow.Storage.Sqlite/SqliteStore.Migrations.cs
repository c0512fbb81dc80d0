using Enrichflow.Core.Storage;

namespace Enrichflow.Storage.Sqlite;

public sealed partial class SqliteStore
{
    // First in the file: the static initializers below read it.
    private static readonly IReadOnlyList<SqlMigration> Migrations =
        SqlMigration.Load(typeof(SqliteStore).Assembly, "Enrichflow.Storage.Sqlite.Migrations.");

    /// <summary>
    /// Applies the embedded <c>Migrations/NNNN_name.sql</c> scripts that are not yet recorded in
    /// <c>schema_migrations</c>, in order, all in one write transaction. Safe to call again and from several processes.
    /// </summary>
    public Task MigrateAsync(CancellationToken cancellationToken) => ApplyMigrationsAsync(cancellationToken);

    /// <summary>Like <see cref="MigrateAsync"/>; returns the versions this call applied (none when the schema was up to date).</summary>
    public Task<IReadOnlyList<int>> ApplyMigrationsAsync(CancellationToken cancellationToken) =>
        WriteAsync<IReadOnlyList<int>>(connection =>
        {
            connection.ExecuteScript(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version     INTEGER NOT NULL PRIMARY KEY,
                    name        TEXT NOT NULL,
                    applied_at  TEXT NOT NULL
                )
                """);
            var applied = connection.Query("SELECT version FROM schema_migrations", reader => reader.GetInt32(0)).ToHashSet();
            var done = new List<int>();
            foreach (var migration in Migrations.Where(m => !applied.Contains(m.Version)))
            {
                connection.ExecuteScript(migration.Sql);
                connection.Execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($version, $name, $now)",
                    ("$version", migration.Version), ("$name", migration.Name), ("$now", DateTimeOffset.UtcNow));
                done.Add(migration.Version);
            }

            return done;
        }, cancellationToken);

    /// <summary>The versions recorded in <c>schema_migrations</c>, ascending.</summary>
    public Task<IReadOnlyList<int>> GetAppliedMigrationsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<int>>(Read(
            connection => connection.Query("SELECT version FROM schema_migrations ORDER BY version", reader => reader.GetInt32(0)),
            cancellationToken));
}

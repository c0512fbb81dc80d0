using Enrichflow.Core.Storage;

namespace Enrichflow.Storage.Postgres;

public sealed partial class PostgresStore
{
    // First in the file: the static initializers below read it.
    private static readonly IReadOnlyList<SqlMigration> Migrations =
        SqlMigration.Load(typeof(PostgresStore).Assembly, "Enrichflow.Storage.Postgres.Migrations.");

    /// <summary>
    /// Applies the embedded <c>Migrations/NNNN_name.sql</c> scripts that are not yet recorded in
    /// <c>schema_migrations</c>, in order, in one transaction under an advisory lock on the schema: of several processes
    /// starting together, one migrates and the others wait for it, then find nothing left to do.
    /// </summary>
    public Task MigrateAsync(CancellationToken cancellationToken) => ApplyMigrationsAsync(cancellationToken);

    /// <summary>Like <see cref="MigrateAsync"/>; returns the versions this call applied (none when the schema was up to date).</summary>
    public Task<IReadOnlyList<int>> ApplyMigrationsAsync(CancellationToken cancellationToken) =>
        WriteAsync<IReadOnlyList<int>>(async db =>
        {
            await db.ExecuteAsync("SELECT pg_advisory_xact_lock(hashtext('enrichflow.migrations:' || current_schema()))");
            await db.ExecuteAsync(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version     integer NOT NULL PRIMARY KEY,
                    name        text NOT NULL,
                    applied_at  text NOT NULL
                )
                """);
            var applied = (await db.QueryAsync("SELECT version FROM schema_migrations", reader => reader.GetInt32(0))).ToHashSet();
            var done = new List<int>();
            foreach (var migration in Migrations.Where(m => !applied.Contains(m.Version)))
            {
                await db.ExecuteAsync(migration.Sql);
                await db.ExecuteAsync(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @now)",
                    ("version", migration.Version), ("name", migration.Name), ("now", DateTimeOffset.UtcNow));
                done.Add(migration.Version);
            }

            return done;
        }, cancellationToken);

    /// <summary>The versions recorded in <c>schema_migrations</c>, ascending.</summary>
    public Task<IReadOnlyList<int>> GetAppliedMigrationsAsync(CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<int>>(
            async db => await db.QueryAsync("SELECT version FROM schema_migrations ORDER BY version", reader => reader.GetInt32(0)),
            cancellationToken);

    /// <summary>The versions of the embedded migrations, ascending.</summary>
    public static IReadOnlyList<int> KnownMigrations { get; } = [.. Migrations.Select(m => m.Version)];
}

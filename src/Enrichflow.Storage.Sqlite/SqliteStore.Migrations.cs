using System.Globalization;
using System.Reflection;

namespace Enrichflow.Storage.Sqlite;

public sealed partial class SqliteStore
{
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
            foreach (var migration in Migration.All.Where(m => !applied.Contains(m.Version)))
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

    private sealed record Migration(int Version, string Name, string Sql)
    {
        public static IReadOnlyList<Migration> All { get; } = Load();

        private static List<Migration> Load()
        {
            var assembly = typeof(SqliteStore).Assembly;
            const string Prefix = "Enrichflow.Storage.Sqlite.Migrations.";
            var migrations = new List<Migration>();
            foreach (var resource in assembly.GetManifestResourceNames())
            {
                if (!resource.StartsWith(Prefix, StringComparison.Ordinal) || !resource.EndsWith(".sql", StringComparison.Ordinal))
                {
                    continue;
                }

                var name = resource[Prefix.Length..^".sql".Length];
                var separator = name.IndexOf('_', StringComparison.Ordinal);
                if (separator <= 0 || !int.TryParse(name.AsSpan(0, separator), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
                {
                    throw new InvalidOperationException($"Migration resource '{resource}' is not named NNNN_name.sql.");
                }

                migrations.Add(new Migration(version, name, ReadResource(assembly, resource)));
            }

            migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
            for (var i = 1; i < migrations.Count; i++)
            {
                if (migrations[i].Version == migrations[i - 1].Version)
                {
                    throw new InvalidOperationException($"Migrations '{migrations[i - 1].Name}' and '{migrations[i].Name}' share version {migrations[i].Version}.");
                }
            }

            return migrations;
        }

        private static string ReadResource(Assembly assembly, string resource)
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }
}

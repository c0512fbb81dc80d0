using System.Globalization;
using System.Reflection;

namespace Enrichflow.Core.Storage;

/// <summary>
/// One numbered schema migration of a store, an embedded <c>Migrations/NNNN_name.sql</c> resource: its version (the
/// number), its name (the file name without <c>.sql</c>) and its SQL. Each store applies them in version order and
/// records the versions it applied.
/// </summary>
public sealed record SqlMigration(int Version, string Name, string Sql)
{
    /// <summary>
    /// The migrations embedded in <paramref name="assembly"/> under <paramref name="resourcePrefix"/> (for example
    /// <c>Enrichflow.Storage.Sqlite.Migrations.</c>), ascending by version.
    /// </summary>
    /// <exception cref="InvalidOperationException">A resource is not named <c>NNNN_name.sql</c>, or two share a version.</exception>
    public static IReadOnlyList<SqlMigration> Load(Assembly assembly, string resourcePrefix)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var migrations = new List<SqlMigration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(resourcePrefix, StringComparison.Ordinal) || !resource.EndsWith(".sql", StringComparison.Ordinal))
            {
                continue;
            }

            var name = resource[resourcePrefix.Length..^".sql".Length];
            var separator = name.IndexOf('_', StringComparison.Ordinal);
            if (separator <= 0 || !int.TryParse(name.AsSpan(0, separator), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                throw new InvalidOperationException($"Migration resource '{resource}' is not named NNNN_name.sql.");
            }

            migrations.Add(new SqlMigration(version, name, ReadResource(assembly, resource)));
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

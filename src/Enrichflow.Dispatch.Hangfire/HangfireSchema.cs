using Hangfire.PostgreSql;
using Npgsql;

namespace Enrichflow.Dispatch.Hangfire;

/// <summary>Hangfire's tables in PostgreSQL, made or upgraded by <c>enrichflow migrate</c> as every Hangfire node would at its start.</summary>
public static class HangfireSchema
{
    /// <summary>Installs (or upgrades) Hangfire's objects in <see cref="HangfireDispatchOptions.Schema"/> of the database of <see cref="HangfireDispatchOptions.ConnectionString"/>.</summary>
    public static async Task InstallAsync(HangfireDispatchOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using var connection = new NpgsqlConnection(options.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        PostgreSqlObjectsInstaller.Install(connection, options.Schema);
    }
}

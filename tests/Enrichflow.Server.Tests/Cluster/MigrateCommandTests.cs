using Enrichflow.Server.Tests.Infrastructure;
using Npgsql;

namespace Enrichflow.Server.Tests.Cluster;

/// <summary>
/// <c>enrichflow migrate</c> (issue 13 item 1) as a real process: it applies the store's numbered migrations and exits,
/// so a cluster migrates once before its <c>serve</c> and <c>worker</c> processes start.
/// </summary>
public sealed class MigrateCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Migrate_on_a_fresh_postgresql_database_applies_every_migration_then_serve_starts_on_it()
    {
        var database = await TestBackends.NewPostgresDatabaseAsync("migrate_", Ct);

        var (exitCode, stdout, stderr) = await CliProcess.RunAsync(["migrate", "--data", ServerProcessClient.NewDataDirectory(), "--store", database], null, Ct);

        Assert.True(exitCode == 0, $"migrate exited with {exitCode}: {stderr}");
        var versions = await RecordedVersionsAsync(database);
        Assert.NotEmpty(versions);
        Assert.Contains($"applied {versions.Count} migration(s)", stdout, StringComparison.Ordinal);
        Assert.Contains($"schema version {versions[^1]}.", stdout, StringComparison.Ordinal);
        Assert.Contains("PostgreSQL ", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Password=enrichflow", stdout, StringComparison.Ordinal);

        var data = ServerProcessClient.NewDataDirectory();
        await using var server = await ServerProcess.StartAsync(data, new Dictionary<string, string> { ["ENRICHFLOW_Store"] = database });
        using var http = ServerProcessClient.Create(server.BaseUrl, data);
        var workflow = await ServerProcessClient.CreateWorkflowAsync(http, "after-migrate", Definitions.ReadCsvFilter);
        Assert.False(string.IsNullOrEmpty(workflow));
        Assert.Equal(versions, await RecordedVersionsAsync(database));
    }

    [Fact]
    public async Task Migrate_twice_applies_nothing_the_second_time()
    {
        var database = await TestBackends.NewPostgresDatabaseAsync("migrate_", Ct);
        var data = ServerProcessClient.NewDataDirectory();
        var (first, _, firstError) = await CliProcess.RunAsync(["migrate", "--data", data, "--store", database], null, Ct);
        Assert.True(first == 0, firstError);
        var versions = await RecordedVersionsAsync(database);

        var (second, stdout, secondError) = await CliProcess.RunAsync(["migrate", "--data", data, "--store", database], null, Ct);

        Assert.True(second == 0, secondError);
        Assert.Contains($"up to date at schema version {versions[^1]}; nothing applied.", stdout, StringComparison.Ordinal);
        Assert.Equal(versions, await RecordedVersionsAsync(database));
    }

    [Fact]
    public async Task Migrate_with_the_hangfire_dispatcher_also_installs_hangfires_schema()
    {
        var database = await TestBackends.NewPostgresDatabaseAsync("migrate_", Ct);
        var environment = new Dictionary<string, string> { ["ENRICHFLOW_Dispatch__Kind"] = "hangfire", ["ENRICHFLOW_Dispatch__Hangfire__Schema"] = "jobs" };

        var (exitCode, stdout, stderr) = await CliProcess.RunAsync(["migrate", "--data", ServerProcessClient.NewDataDirectory(), "--store", database], environment, Ct);

        Assert.True(exitCode == 0, stderr);
        Assert.Contains("Hangfire's schema 'jobs' is installed", stdout, StringComparison.Ordinal);
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(Ct);
        await using var tables = new NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'jobs' AND table_name = 'job'", connection);
        Assert.Equal(1L, (long)(await tables.ExecuteScalarAsync(Ct))!);
    }

    [Fact]
    public async Task Migrate_of_the_default_sqlite_store_applies_its_migrations_into_the_data_directory_once()
    {
        var data = ServerProcessClient.NewDataDirectory();

        var (exitCode, stdout, stderr) = await CliProcess.RunAsync(["migrate", "--data", data], null, Ct);
        var (again, againStdout, _) = await CliProcess.RunAsync(["migrate", "--data", data], null, Ct);

        Assert.True(exitCode == 0, stderr);
        Assert.Contains($"SQLite {Path.Combine(data, "enrichflow.db")}: applied ", stdout, StringComparison.Ordinal);
        Assert.Equal(0, again);
        Assert.Contains("nothing applied.", againStdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_with_an_unreachable_postgresql_store_exits_2_naming_the_setting_without_the_password()
    {
        var store = $"postgres://enrichflow:hunter2@127.0.0.1:{ServerProcess.FreePort()}/enrichflow";

        var (exitCode, stdout, stderr) = await CliProcess.RunAsync(["migrate", "--data", ServerProcessClient.NewDataDirectory(), "--store", store], null, Ct);

        Assert.Equal(2, exitCode);
        Assert.Contains("cannot start: the store (Store = postgres://enrichflow:***@127.0.0.1:", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", stderr + stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_with_a_store_setting_that_is_not_a_database_exits_2_naming_it()
    {
        var (exitCode, _, stderr) = await CliProcess.RunAsync(["migrate", "--data", ServerProcessClient.NewDataDirectory(), "--store", "mysql://somewhere"], null, Ct);

        Assert.Equal(2, exitCode);
        Assert.Contains("Store must be 'sqlite', a postgres://", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_help_describes_the_command_and_its_options()
    {
        var (rootExit, root, _) = await CliProcess.RunAsync(["--help"], null, Ct);
        var (exitCode, help, _) = await CliProcess.RunAsync(["migrate", "--help"], null, Ct);

        Assert.Equal(0, rootExit);
        Assert.Contains("migrate", root, StringComparison.Ordinal);
        Assert.Equal(0, exitCode);
        Assert.Contains("schema migrations", help, StringComparison.Ordinal);
        Assert.Contains("--store", help, StringComparison.Ordinal);
        Assert.Contains("--config", help, StringComparison.Ordinal);
        Assert.Contains("--data", help, StringComparison.Ordinal);
    }

    private static async Task<List<int>> RecordedVersionsAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("SELECT version FROM schema_migrations ORDER BY version", connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var versions = new List<int>();
        while (await reader.ReadAsync(Ct))
        {
            versions.Add(reader.GetInt32(0));
        }

        return versions;
    }
}

using System.CommandLine;
using System.Globalization;
using Enrichflow.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Enrichflow.Cli.Commands;

/// <summary>
/// <c>enrichflow migrate</c>: applies the store's numbered migrations (SQLite in the data directory, or the PostgreSQL
/// store of <c>--store</c> / <c>Store</c>) and says which it applied and the schema version reached, then exits; with
/// <c>Dispatch:Kind = hangfire</c> it also makes or upgrades Hangfire's schema. A
/// cluster runs it once before starting (or upgrading) its <c>serve</c> and <c>worker</c> processes (docs/api.md §9).
/// </summary>
internal static class MigrateCommand
{
    public static Command Create()
    {
        var data = CommonOptions.Data();
        var config = CommonOptions.Config();
        var store = CommonOptions.Store("The store to migrate: sqlite (in the data directory, the default) or postgres://user:password@host:port/database (docs/api.md §9).");
        var command = new Command("migrate", "Apply the store's schema migrations (SQLite or PostgreSQL), print what was applied and the schema version, and exit. Safe to run again: an up-to-date store is left as it is.")
        {
            data, config, store,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var dataDirectory = EnrichflowHost.ResolveDataDirectory(parse.GetValue(data));
            var configuration = new ConfigurationManager();
            var overrides = new Dictionary<string, string?>();
            if (parse.GetValue(store) is { } storeValue)
            {
                overrides[StoreSetup.StoreSetting] = storeValue;
            }

            try
            {
                EnrichflowHost.Configure(configuration, dataDirectory, parse.GetValue(config), overrides);
            }
            catch (Exception e) when (e is InvalidOperationException or FileNotFoundException)
            {
                return await CommonOptions.CannotStartAsync(e.Message);
            }

            if (StoreSetup.Problems(configuration).ToList() is { Count: > 0 } problems)
            {
                return await CommonOptions.InvalidConfigurationAsync(problems);
            }

            await using var services = new ServiceCollection().AddEnrichflow(configuration, dataDirectory).BuildServiceProvider();
            MigrationReport report;
            string? hangfireSchema;
            try
            {
                (report, hangfireSchema) = await Run.CliProgress.WhileAsync("Applying the store's migrations...", async () =>
                    (await StoreSetup.ApplyMigrationsAsync(services, configuration, cancellationToken), await DispatchSetup.PrepareHangfireSchemaAsync(services, cancellationToken)));
            }
            catch (IOException e)
            {
                return await CommonOptions.CannotStartAsync(e.Message);
            }
            catch (Microsoft.Extensions.Options.OptionsValidationException e)
            {
                return await CommonOptions.InvalidConfigurationAsync(e.Failures);
            }

            Console.WriteLine(report.Applied.Count == 0
                ? $"{report.Store}: up to date at schema version {report.SchemaVersion}; nothing applied."
                : $"{report.Store}: applied {report.Applied.Count} migration(s) ({string.Join(", ", report.Applied.Select(v => v.ToString("D4", CultureInfo.InvariantCulture)))}); schema version {report.SchemaVersion}.");
            if (hangfireSchema is not null)
            {
                Console.WriteLine($"Hangfire's schema '{hangfireSchema}' is installed and up to date (Dispatch:Kind = hangfire).");
            }

            return 0;
        });
        return command;
    }
}

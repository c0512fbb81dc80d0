using System.CommandLine;
using Enrichflow.Core.Storage;
using Enrichflow.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Enrichflow.Cli.Commands;

/// <summary><c>enrichflow keys create --org NAME [--read-only]</c>: prints a new API key alone on stdout.</summary>
internal static class KeysCommand
{
    public static Command Create()
    {
        var org = new Option<string>("--org") { Description = "The organization the key belongs to (created when new).", Required = true, HelpName = "NAME" };
        var readOnly = new Option<bool>("--read-only") { Description = "The key may read but not change anything." };
        var data = CommonOptions.Data();
        var create = new Command("create", "Create an API key and print it (alone) on stdout.") { org, readOnly, data };
        create.SetAction(async (parse, cancellationToken) =>
        {
            var name = parse.GetValue(org)!;
            if (!System.Text.RegularExpressions.Regex.IsMatch(name, "^[A-Za-z0-9_.-]{1,64}$"))
            {
                await Console.Error.WriteLineAsync($"enrichflow: organization name '{name}' is not valid: use 1 to 64 letters, digits, '_', '.' or '-'.");
                return 2;
            }

            // Only the store is used, so the configuration files (and the secrets they refer to) are not read.
            var directory = EnrichflowHost.ResolveDataDirectory(parse.GetValue(data));
            var configuration = new ConfigurationManager { ["DataDirectory"] = directory };
            await using var services = new ServiceCollection().AddEnrichflow(configuration, directory).BuildServiceProvider();
            var store = services.GetRequiredService<IAccountStore>();
            await store.MigrateAsync(cancellationToken);
            var key = await ApiKeys.CreateAsync(store, name, parse.GetValue(readOnly), TimeProvider.System.GetUtcNow(), cancellationToken);
            Console.WriteLine(key);
            return 0;
        });
        return new Command("keys", "Manage API keys.") { create };
    }
}

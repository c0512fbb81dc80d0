using Enrichflow.Core.Storage;
using Enrichflow.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Enrichflow.Cli.Commands;

/// <summary>The store of a data directory, for commands that only read or write it (<c>keys</c>, <c>orgs</c>).</summary>
internal static class CliStore
{
    /// <summary>Only the store is used, so the configuration files (and the secrets they refer to) are not read.</summary>
    public static async Task<ServiceProvider> OpenAsync(string? data, CancellationToken cancellationToken)
    {
        var directory = EnrichflowHost.ResolveDataDirectory(data);
        var configuration = new ConfigurationManager { ["DataDirectory"] = directory };
        var services = new ServiceCollection().AddEnrichflow(configuration, directory).BuildServiceProvider();
        await services.GetRequiredService<IAccountStore>().MigrateAsync(cancellationToken);
        return services;
    }
}

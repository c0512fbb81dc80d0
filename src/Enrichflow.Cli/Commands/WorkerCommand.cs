using System.CommandLine;
using Enrichflow.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Enrichflow.Cli.Commands;

/// <summary>
/// <c>enrichflow worker</c>: runs the work units Hangfire hands out, with no HTTP API (docs/architecture.md §5). It needs
/// the cluster's PostgreSQL store (<c>--store</c> or <c>Store</c>) and blobs every node reaches (<c>--blobs</c>); units
/// travel through Hangfire whatever <c>Dispatch:Kind</c> says.
/// </summary>
internal static class WorkerCommand
{
    public static Command Create()
    {
        var data = CommonOptions.Data();
        var config = CommonOptions.Config();
        var store = CommonOptions.Store("The cluster's PostgreSQL store: postgres://user:password@host:port/database (docs/api.md §9 Store).");
        var blobs = CommonOptions.Blobs("The cluster's blobs: s3://bucket/prefix with the Blobs:S3:* settings, or local on a shared mount.");
        var command = new Command("worker", "Run work units handed out through Hangfire, on the cluster's PostgreSQL store and blobs; no HTTP API.") { data, config, store, blobs };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory, DisableDefaults = true });
            var dataDirectory = EnrichflowHost.ResolveDataDirectory(parse.GetValue(data));
            var overrides = CommonOptions.StoreAndBlobs(parse, store, blobs, new() { ["Dispatch:Kind"] = "hangfire", ["Dispatch:RunWorker"] = "true" });

            IHost host;
            try
            {
                EnrichflowHost.Configure(builder.Configuration, dataDirectory, parse.GetValue(config), overrides);
                if (StoreSetup.PostgresConnectionString(builder.Configuration) is null)
                {
                    return await CommonOptions.CannotStartAsync("a worker needs the cluster's PostgreSQL store (--store postgres://... or the Store setting).");
                }

                builder.Logging.AddEnrichflowLogging(builder.Configuration);
                builder.Services.AddEnrichflow(builder.Configuration, dataDirectory);
                host = builder.Build();
            }
            catch (Exception e) when (e is InvalidOperationException or FileNotFoundException or OptionsValidationException)
            {
                return await CommonOptions.CannotStartAsync(e.Message);
            }

            if (EnrichflowHost.ConfigurationProblems(host.Services) is { Count: > 0 } problems)
            {
                return await CommonOptions.InvalidConfigurationAsync(problems);
            }

            try
            {
                await BlobsSetup.CheckBlobsAsync(host.Services, cancellationToken);
                await StoreSetup.MigrateAsync(host.Services, host.Services.GetRequiredService<IConfiguration>(), cancellationToken);
                await host.RunAsync(cancellationToken);
            }
            catch (IOException e)
            {
                return await CommonOptions.CannotStartAsync(e.Message);
            }

            return 0;
        });
        return command;
    }
}

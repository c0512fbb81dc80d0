using System.CommandLine;
using Enrichflow.Server.Hosting;
using Microsoft.AspNetCore.Builder;

namespace Enrichflow.Cli.Commands;

/// <summary><c>enrichflow serve</c>: the HTTP API with the embedded engine.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string?>("--urls") { Description = $"Addresses to listen on. Default: {EnrichflowApp.DefaultUrls}", HelpName = "URLS" };
        var data = CommonOptions.Data();
        var config = CommonOptions.Config();
        var blobs = CommonOptions.Blobs("Where blobs live: local (under the data directory, the default) or s3://bucket/prefix with the Blobs:S3:* settings (docs/api.md §9).");
        var store = CommonOptions.Store("Where state lives: sqlite (in the data directory, the default) or postgres://user:password@host:port/database (docs/api.md §9).");
        var noWorker = new Option<bool>("--no-worker")
        {
            Description = "Serve the API and hand units to the cluster's workers (enrichflow worker) without running any here; needs Dispatch:Kind hangfire.",
        };
        var command = new Command("serve", "Start the Enrichflow server (SQLite + local disk by default).") { urls, data, config, blobs, store, noWorker };
        command.SetAction(async (parse, cancellationToken) =>
        {
            WebApplication app;
            try
            {
                var overrides = CommonOptions.StoreAndBlobs(parse, store, blobs, []);
                if (parse.GetValue(noWorker))
                {
                    overrides["Dispatch:RunWorker"] = "false";
                }

                app = EnrichflowApp.Build(new ServeSettings(parse.GetValue(urls), parse.GetValue(data), parse.GetValue(config)), overrides: overrides);
            }
            catch (Exception e) when (e is InvalidOperationException or FileNotFoundException or Microsoft.Extensions.Options.OptionsValidationException)
            {
                return await CommonOptions.CannotStartAsync(e.Message);
            }

            if (EnrichflowApp.ConfigurationProblems(app) is { Count: > 0 } problems)
            {
                return await CommonOptions.InvalidConfigurationAsync(problems);
            }

            string? key;
            try
            {
                key = await EnrichflowApp.PrepareAsync(app, cancellationToken);
            }
            catch (IOException e)
            {
                // The blob store's start check (a missing S3 bucket, refused credentials): the message names the setting.
                return await CommonOptions.CannotStartAsync(e.Message);
            }

            if (key is not null)
            {
                var dataDirectory = app.Configuration["DataDirectory"];
                Console.WriteLine($"Created organization 'default' with this API key (shown once; also saved to {Path.Combine(dataDirectory!, "initial-api-key")}):");
                Console.WriteLine(key);
            }

            try
            {
                await app.RunAsync();
            }
            catch (IOException e)
            {
                return await CommonOptions.CannotStartAsync(e.Message);
            }
            catch (Microsoft.Extensions.Options.OptionsValidationException e)
            {
                return await CommonOptions.InvalidConfigurationAsync(e.Failures);
            }

            return 0;
        });
        return command;
    }
}

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
        var config = new Option<string?>("--config") { Description = "A JSON configuration file (docs/api.md §9).", HelpName = "FILE" };
        var blobs = new Option<string?>("--blobs") { Description = "Where blobs live: local (under the data directory, the default) or s3://bucket/prefix with the Blobs:S3:* settings (docs/api.md §9).", HelpName = "URI" };
        var store = new Option<string?>("--store") { Description = "Where state lives: sqlite (in the data directory, the default) or postgres://user:password@host:port/database (docs/api.md §9).", HelpName = "URL" };
        var command = new Command("serve", "Start the Enrichflow server (SQLite + local disk by default).") { urls, data, config, blobs, store };
        command.SetAction(async (parse, cancellationToken) =>
        {
            WebApplication app;
            try
            {
                var overrides = new Dictionary<string, string?>();
                if (parse.GetValue(blobs) is { } blobsValue)
                {
                    overrides[Hosting.BlobsSetup.BlobsSetting] = blobsValue;
                }

                if (parse.GetValue(store) is { } storeValue)
                {
                    overrides[Hosting.StoreSetup.StoreSetting] = storeValue;
                }

                app = EnrichflowApp.Build(new ServeSettings(parse.GetValue(urls), parse.GetValue(data), parse.GetValue(config)), overrides: overrides);
            }
            catch (Exception e) when (e is InvalidOperationException or FileNotFoundException or Microsoft.Extensions.Options.OptionsValidationException)
            {
                await Console.Error.WriteLineAsync($"enrichflow: cannot start: {e.Message}");
                return 2;
            }

            if (EnrichflowApp.ConfigurationProblems(app) is { Count: > 0 } problems)
            {
                await Console.Error.WriteLineAsync("enrichflow: cannot start, the configuration is invalid:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)));
                return 2;
            }

            string? key;
            try
            {
                key = await EnrichflowApp.PrepareAsync(app, cancellationToken);
            }
            catch (IOException e)
            {
                // The blob store's start check (a missing S3 bucket, refused credentials): the message names the setting.
                await Console.Error.WriteLineAsync($"enrichflow: cannot start: {e.Message}");
                return 2;
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
                await Console.Error.WriteLineAsync($"enrichflow: cannot start: {e.Message}");
                return 2;
            }
            catch (Microsoft.Extensions.Options.OptionsValidationException e)
            {
                await Console.Error.WriteLineAsync("enrichflow: cannot start, configuration is invalid:" + Environment.NewLine + string.Join(Environment.NewLine, e.Failures.Select(f => "  - " + f)));
                return 2;
            }

            return 0;
        });
        return command;
    }
}

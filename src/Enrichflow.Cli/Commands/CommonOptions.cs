using System.CommandLine;

namespace Enrichflow.Cli.Commands;

internal static class CommonOptions
{
    public static Option<string?> Data() => new("--data")
    {
        Description = "Data directory (SQLite store, blobs, keys). Default: ./.enrichflow",
        HelpName = "DIR",
    };

    public static Option<string?> Config() => new("--config") { Description = "A JSON configuration file (docs/api.md §9).", HelpName = "FILE" };

    public static Option<string?> Store(string description) => new("--store") { Description = description, HelpName = "URL" };

    public static Option<string?> Blobs(string description) => new("--blobs") { Description = description, HelpName = "URI" };

    /// <summary>The settings <c>--store</c> and <c>--blobs</c> override when given (they win over every source), added to <paramref name="overrides"/>.</summary>
    public static Dictionary<string, string?> StoreAndBlobs(ParseResult parse, Option<string?> store, Option<string?> blobs, Dictionary<string, string?> overrides)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(overrides);
        if (parse.GetValue(store) is { } storeValue)
        {
            overrides[Hosting.StoreSetup.StoreSetting] = storeValue;
        }

        if (parse.GetValue(blobs) is { } blobsValue)
        {
            overrides[Hosting.BlobsSetup.BlobsSetting] = blobsValue;
        }

        return overrides;
    }

    /// <summary>Says why the process cannot start, on stderr; the exit code that goes with it.</summary>
    public static async Task<int> CannotStartAsync(string reason)
    {
        await Console.Error.WriteLineAsync($"enrichflow: cannot start: {reason}");
        return 2;
    }

    /// <summary>Lists every configuration problem on stderr; the exit code that goes with it.</summary>
    public static async Task<int> InvalidConfigurationAsync(IEnumerable<string> problems)
    {
        await Console.Error.WriteLineAsync("enrichflow: cannot start, the configuration is invalid:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)));
        return 2;
    }
}

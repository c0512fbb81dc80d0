using System.CommandLine;

namespace Enrichflow.Cli.Commands;

internal static class CommonOptions
{
    public static Option<string?> Data() => new("--data")
    {
        Description = "Data directory (SQLite store, blobs, keys). Default: ./.enrichflow",
        HelpName = "DIR",
    };
}

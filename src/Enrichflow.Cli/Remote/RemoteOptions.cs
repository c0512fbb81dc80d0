using System.CommandLine;

namespace Enrichflow.Cli.Remote;

/// <summary>The options every command against a server takes: where it is, the key, and JSON instead of tables.</summary>
internal sealed class RemoteOptions
{
    public const string DefaultServer = "http://127.0.0.1:8080";
    public const string ServerVariable = "ENRICHFLOW_URL";
    public const string KeyVariable = "ENRICHFLOW_API_KEY";

    /// <summary>What <c>--help</c> of each command group says about exit codes (README "Client and CLI against a server").</summary>
    public const string ExitCodes =
        "Exit codes: 0 ok; 1 the API refused (its detail is printed); 2 usage or bad input (a file that does not parse, names line and column; a file that does not exist); "
        + "3 the server cannot be reached; 4 the run failed or was cancelled (runs start --wait, runs watch); 130 interrupted by Ctrl+C (a watched run goes on).";

    public Option<string?> Server { get; } = new("--server")
    {
        Description = $"The server's address (default: ${ServerVariable}, else {DefaultServer}).",
        HelpName = "URL",
        Recursive = true,
    };

    public Option<string?> Key { get; } = new("--key")
    {
        Description = $"The API key, sent as x-api-key (default: ${KeyVariable}).",
        HelpName = "KEY",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json") { Description = "Print JSON (the API's shapes) instead of tables.", Recursive = true };

    /// <summary>A command group (<c>workflows</c>, <c>runs</c>, <c>notebooks</c>) carrying the options for all its commands.</summary>
    public Command Group(string name, string description, params Command[] commands)
    {
        var group = new Command(name, description + Environment.NewLine + ExitCodes) { Server, Key, Json };
        foreach (var command in commands)
        {
            group.Subcommands.Add(command);
        }

        return group;
    }
}

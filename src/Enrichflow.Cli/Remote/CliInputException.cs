namespace Enrichflow.Cli.Remote;

/// <summary>Bad input the command itself found (a file that does not exist or does not parse, a bad option value): exit 2.</summary>
internal sealed class CliInputException(string message) : Exception(message);

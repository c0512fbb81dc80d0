using Enrichflow.Core.Storage;

namespace Enrichflow.Cli.Run;

/// <summary>What <c>enrichflow run</c> was asked to do.</summary>
/// <param name="DataDirectory">The data directory to keep; null for a temporary one deleted at the end.</param>
/// <param name="Formats">The formats whose files are copied to <paramref name="OutDirectory"/> (CSV is always written).</param>
internal sealed record RunSettings(
    string WorkflowPath,
    string InputPath,
    string OutDirectory,
    string? DataDirectory,
    string? ConfigFile,
    IReadOnlyList<ResultFormat> Formats,
    double? MaxCredits,
    bool DryRun,
    bool Json);

/// <summary>The exit codes of <c>enrichflow run</c> (its <c>--help</c> and README "One-shot runs").</summary>
internal static class RunExitCodes
{
    public const int Completed = 0;
    public const int Failed = 1;
    public const int BadInput = 2;
    public const int Paused = 3;
    public const int Interrupted = 130;
    public const int Terminated = 143;
}

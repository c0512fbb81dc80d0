using System.Diagnostics;

namespace Enrichflow.Server.Tests.Infrastructure;

/// <summary>The <c>enrichflow</c> command line as a real process (the build's enrichflow.dll beside the tests).</summary>
public static class CliProcess
{
    /// <summary>Runs a command to its end: its exit code and what it wrote.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken)
    {
        using var process = Start(args, environment);
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts a command with its output redirected; the caller reads it (or not) and ends the process.</summary>
    public static Process Start(IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "enrichflow.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        return Process.Start(start)!;
    }
}

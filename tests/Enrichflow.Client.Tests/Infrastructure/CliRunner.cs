using System.Diagnostics;

namespace Enrichflow.Client.Tests.Infrastructure;

/// <summary>The <c>enrichflow</c> command line as a real process (the build's enrichflow.dll beside the tests), as CliProcess in Enrichflow.Server.Tests.</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "enrichflow.dll");

    /// <summary>Runs <c>enrichflow ARGS</c> to its end with <c>ENRICHFLOW_URL</c> / <c>ENRICHFLOW_API_KEY</c> as given (unset when null).</summary>
    public static Task<Result> RunAsync(IReadOnlyList<string> args, string? url, string? key, string? workingDirectory = null)
    {
        var environment = new Dictionary<string, string?> { ["ENRICHFLOW_URL"] = url, ["ENRICHFLOW_API_KEY"] = key };
        return ExecAsync(["dotnet", Dll, .. args], environment, workingDirectory);
    }

    /// <summary>Runs any command to its end; an environment value of null removes the variable.</summary>
    public static async Task<Result> ExecAsync(IReadOnlyList<string> command, IReadOnlyDictionary<string, string?> environment, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? Path.GetTempPath() };
        foreach (var arg in command.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        start.Environment["NO_PROXY"] = "127.0.0.1,localhost";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}

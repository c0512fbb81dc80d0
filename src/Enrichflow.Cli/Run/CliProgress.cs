using Spectre.Console;

namespace Enrichflow.Cli.Run;

/// <summary>A spinner with a few words while long CLI work runs, on a terminal only: redirected output stays exactly as it was.</summary>
internal static class CliProgress
{
    public static Task<T> WhileAsync<T>(string what, Func<Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        return Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive
            ? work()
            : AnsiConsole.Status().StartAsync(what, _ => work());
    }
}

using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Enrichflow.Server.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL server of a test's own (scripts/postgres.sh with its own <c>ENRICHFLOW_PG_STATE</c>), so the test can
/// halt it as a crash would and start it again on the same data and port without disturbing the shared test server.
/// </summary>
public sealed class PostgresInstance : IAsyncDisposable
{
    private readonly string _state;

    private PostgresInstance(string state, string connectionString)
    {
        _state = state;
        ConnectionString = connectionString;
    }

    /// <summary>The connection string of its <c>enrichflow</c> database (role <c>enrichflow</c>, which may create databases).</summary>
    public string ConnectionString { get; }

    public static async Task<PostgresInstance> StartAsync(CancellationToken cancellationToken)
    {
        var state = Path.Combine(Path.GetTempPath(), $"enrichflow-pg-{Guid.NewGuid():N}.state");
        await ScriptAsync(state, "start", cancellationToken);
        var env = await ScriptAsync(state, "env", cancellationToken);
        // export ENRICHFLOW_TEST_POSTGRES=Host=...\;Port=...: the shell-quoted connection string.
        var value = env.Trim()[(env.IndexOf('=', StringComparison.Ordinal) + 1)..].Replace("\\;", ";", StringComparison.Ordinal);
        return new PostgresInstance(state, value);
    }

    /// <summary>Stops the server at once (<c>pg_ctl -m immediate</c>): every connection drops, the data stays.</summary>
    public Task HaltAsync(CancellationToken cancellationToken) => ScriptAsync(_state, "halt", cancellationToken);

    /// <summary>Starts the halted server again, on the same data and port.</summary>
    public Task RestartAsync(CancellationToken cancellationToken) => ScriptAsync(_state, "start", cancellationToken);

    public async ValueTask DisposeAsync() => await ScriptAsync(_state, "stop", CancellationToken.None);

    private static async Task<string> ScriptAsync(string state, string command, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot(), "scripts", "postgres.sh"));
        start.ArgumentList.Add(command);
        start.Environment["ENRICHFLOW_PG_STATE"] = state;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/postgres.sh {command} exited with {process.ExitCode}: {await stderr}");
        }

        return await stdout;
    }

    /// <summary>The directory holding <c>Enrichflow.slnx</c>: above the test binary, this source file or the working directory.</summary>
    private static string RepositoryRoot([CallerFilePath] string sourceFile = "")
    {
        string?[] starts = [AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile), Directory.GetCurrentDirectory()];
        foreach (var start in starts.Where(s => !string.IsNullOrEmpty(s) && Path.IsPathRooted(s)))
        {
            for (var directory = new DirectoryInfo(start!); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Enrichflow.slnx")))
                {
                    return directory.FullName;
                }
            }
        }

        throw new InvalidOperationException($"no directory containing Enrichflow.slnx above any of: {string.Join(", ", starts)}");
    }
}

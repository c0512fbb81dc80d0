using System.Globalization;

namespace Enrichflow.Benchmarks.Load;

/// <summary>
/// The load benchmark's knobs, from
/// <c>load [--orgs N] [--runs-per-org N] [--rows N] [--status-rps N] [--duration SECONDS] [--server DLL] [--work DIR]</c>.
/// Defaults are issue 11's: 5 organizations × 10 runs of 20,000 rows in flight, 200 status requests a second, 300 s.
/// </summary>
public sealed record LoadOptions(
    int Orgs,
    int RunsPerOrg,
    int Rows,
    int StatusPerSecond,
    TimeSpan Duration,
    string ServerDll,
    string WorkDirectory)
{
    public static LoadOptions Parse(string[] args, string defaultServer)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? Value(string name)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }

        int Int(string name, int fallback) => Value(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

        return new LoadOptions(
            Orgs: Int("--orgs", 5),
            RunsPerOrg: Int("--runs-per-org", 10),
            Rows: Int("--rows", 20_000),
            StatusPerSecond: Int("--status-rps", 200),
            Duration: TimeSpan.FromSeconds(Int("--duration", 300)),
            ServerDll: Value("--server") ?? defaultServer,
            WorkDirectory: Value("--work") ?? Path.Combine(Path.GetTempPath(), "enrichflow-load"));
    }

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Orgs} organizations × {RunsPerOrg} runs of {Rows:N0} rows kept in flight, {StatusPerSecond} status requests/s, {Duration.TotalSeconds:0} s");
}

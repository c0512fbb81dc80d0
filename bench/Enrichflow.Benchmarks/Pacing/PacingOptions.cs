using System.Globalization;

namespace Enrichflow.Benchmarks.Pacing;

/// <summary>
/// The pacing benchmark's knobs, from
/// <c>pacing [--rows N] [--rpm N] [--latency MIN-MAX] [--hit PERCENT] [--set KEY=VALUE]... [--server DLL] [--work DIR] [--out FILE [--append]] [--reproduce TEXT] [--build TEXT]</c>.
/// <c>--set</c> adds server configuration (<c>Engine:Workers=8</c>, <c>Providers:s64:MaxConcurrency=400</c>) over the
/// benchmark's own; latencies are seconds.
/// </summary>
public sealed record PacingOptions(
    int Rows,
    int RequestsPerMinute,
    TimeSpan LatencyMin,
    TimeSpan LatencyMax,
    int HitPercent,
    IReadOnlyList<KeyValuePair<string, string>> Settings,
    string ServerDll,
    string WorkDirectory,
    string? Output,
    bool Append,
    string Reproduce,
    string? Build)
{
    public static PacingOptions Parse(string[] args, string defaultServer)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? Value(string name)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }

        var latency = (Value("--latency") ?? "2-30").Split('-', 2);
        var settings = new List<KeyValuePair<string, string>>();
        for (var i = 0; i + 1 < args.Length; i++)
        {
            if (args[i] == "--set")
            {
                var pair = args[i + 1].Split('=', 2);
                if (pair.Length != 2)
                {
                    throw new ArgumentException($"--set takes KEY=VALUE (was '{args[i + 1]}').");
                }

                settings.Add(KeyValuePair.Create(pair[0], pair[1]));
            }
        }

        return new PacingOptions(
            Rows: Value("--rows") is { } rows ? int.Parse(rows, CultureInfo.InvariantCulture) : 5000,
            RequestsPerMinute: Value("--rpm") is { } rpm ? int.Parse(rpm, CultureInfo.InvariantCulture) : 600,
            LatencyMin: Seconds(latency[0]),
            LatencyMax: Seconds(latency.Length > 1 ? latency[1] : latency[0]),
            HitPercent: Value("--hit") is { } hit ? int.Parse(hit, CultureInfo.InvariantCulture) : 70,
            Settings: settings,
            ServerDll: Value("--server") ?? defaultServer,
            WorkDirectory: Value("--work") ?? Path.Combine(Path.GetTempPath(), "enrichflow-pacing"),
            Output: Value("--out"),
            Append: args.Contains("--append"),
            Reproduce: Value("--reproduce") ?? "dotnet Enrichflow.Benchmarks.dll " + string.Join(' ', args),
            Build: Value("--build"));
    }

    /// <summary>The run's shape in one line, e.g. <c>5,000 rows, 600 requests/min, latency 2–30 s, 70% found</c>.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Rows:N0} rows, {RequestsPerMinute} requests/min, latency {LatencyMin.TotalSeconds:0.##}–{LatencyMax.TotalSeconds:0.##} s, {HitPercent}% found")
        + (Settings.Count > 0 ? ", " + string.Join(", ", Settings.Select(s => $"{s.Key}={s.Value}")) : "");

    private static TimeSpan Seconds(string text) => TimeSpan.FromSeconds(double.Parse(text, CultureInfo.InvariantCulture));
}

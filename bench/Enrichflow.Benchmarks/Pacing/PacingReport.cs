using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Enrichflow.Benchmarks.Pacing;

/// <summary>
/// The pacing benchmark's figures and verdict. Windows are sliding 60-s windows over the fake's arrival times, the
/// way the fake counts them (arrivals less than 60 s apart share a window), ending every second from the end of the
/// warm-up (60 s after the first request) to the last request sent. The limit is kept busy when the fullest such
/// window is at most the limit, the emptiest at least 95% of it, and the fake sent no 429.
/// </summary>
public sealed class PacingReport
{
    public const double RequiredShare = 0.95;

    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly PacingOptions _options;
    private readonly DateTimeOffset _startedAt;
    private readonly TimeSpan _duration;
    private readonly string _status;
    private readonly long _idleRss;
    private readonly long _peakRss;
    private readonly TimeSpan _cpu;
    private readonly IReadOnlyList<PacingSample> _samples;
    private readonly IReadOnlyList<DateTimeOffset> _arrivals;
    private readonly int _throttled;
    private readonly int _maxInFlight;
    private readonly int _maxWindow;
    private readonly long _providerCalls;
    private readonly long _rowsFailed;
    private readonly long _cacheHits;
    private readonly int _polls;
    private readonly List<(TimeSpan End, int Calls)> _windows = [];

    public PacingReport(PacingOptions options, DateTimeOffset startedAt, TimeSpan duration, string status, long idleRss, long peakRss, TimeSpan cpu,
        IReadOnlyList<PacingSample> samples, IReadOnlyList<DateTimeOffset> arrivals, int throttled, int maxInFlight, int maxWindow,
        long providerCalls, long rowsFailed, long cacheHits, int polls)
    {
        _options = options;
        _startedAt = startedAt;
        _duration = duration;
        _status = status;
        _idleRss = idleRss;
        _peakRss = peakRss;
        _cpu = cpu;
        _samples = samples;
        _arrivals = arrivals;
        _throttled = throttled;
        _maxInFlight = maxInFlight;
        _maxWindow = maxWindow;
        _providerCalls = providerCalls;
        _rowsFailed = rowsFailed;
        _cacheHits = cacheHits;
        _polls = polls;
        if (arrivals.Count > 0)
        {
            for (var end = arrivals[0] + Window; end <= arrivals[^1]; end += TimeSpan.FromSeconds(1))
            {
                _windows.Add((end - startedAt, CallsInWindow(arrivals, end)));
            }

            if (_windows.Count > 0)
            {
                _windows.Add((arrivals[^1] - startedAt, CallsInWindow(arrivals, arrivals[^1])));
            }
        }
    }

    public bool Passed => _status == "completed" && _throttled == 0 && _maxWindow <= _options.RequestsPerMinute
        && _windows.Count > 0 && _windows.Min(w => w.Calls) >= RequiredShare * _options.RequestsPerMinute;

    /// <summary>Arrivals in the 60 s up to and including <paramref name="end"/> (sorted input).</summary>
    public static int CallsInWindow(IReadOnlyList<DateTimeOffset> arrivals, DateTimeOffset end)
    {
        var upTo = UpperBound(arrivals, end);
        var from = UpperBound(arrivals, end - Window);
        return upTo - from;
    }

    public string Markdown(bool heading = true)
    {
        var rpm = _options.RequestsPerMinute;
        var text = new StringBuilder();
        void Line(FormattableString line) => text.AppendLine(line.ToString(CultureInfo.InvariantCulture));
        if (heading)
        {
            Line($"# Pacing benchmark");
            text.AppendLine();
            Line($"The issue's target: a fake provider with a {rpm} requests/minute limit and {_options.LatencyMin.TotalSeconds:0.##}–{_options.LatencyMax.TotalSeconds:0.##} s latency; a {_options.Rows:N0}-row run keeps ≥ {RequiredShare * 100:F0}% of the limit in use once warmed up and never exceeds it.");
            Line($"Written by `bench/run-pacing.sh` (`bench/Enrichflow.Benchmarks/Pacing/`).");
            text.AppendLine();
        }

        Line($"## {_startedAt:yyyy-MM-dd HH:mm} UTC: {_options.Describe()}: {(Passed ? "PASS" : "FAIL")}");
        text.AppendLine();
        Line($"Machine: `nproc` {Nproc()}, {CpuModel()}, {MemTotal()}, {RuntimeInformation.OSDescription}, .NET {Environment.Version}.");
        Line($"Server: Release `enrichflow serve` as a child process on a fresh data directory; provider `s64` (kind sixtyfour) → the fake in the bench process: RequestsPerMinute {rpm}, MaxConcurrency 1000, TimeoutSeconds 120, UseAsyncJobs false; Engine settings at their defaults (ChunkSize 1000, Workers max(2, cores), IoWorkers); a setting in the title overrides these. Workflow: webhook (COMPANY) → enrich_company (website_field, return_fields employees int, country) over {_options.Rows:N0} distinct companies `c{{i}}.example`.");
        Line($"Command: `{_options.Reproduce}`{(_options.Build is { } build ? $" at commit {build}" : "")}.");
        text.AppendLine();
        Line($"| figure | value | target |");
        Line($"|---|---:|---|");
        Line($"| run status | {_status} | completed |");
        Line($"| run time (POST → {_status}) | {_duration.TotalSeconds:F0} s | |");
        if (_arrivals.Count > 0)
        {
            Line($"| paid requests: first → last | {(_arrivals[0] - _startedAt).TotalSeconds:F1} s → {(_arrivals[^1] - _startedAt).TotalSeconds:F0} s | |");
        }

        if (_windows.Count > 0)
        {
            var min = _windows.MinBy(w => w.Calls);
            var mean = _windows.Average(w => w.Calls);
            var warmEnd = _arrivals[0] + Window;
            var afterWarmUp = _arrivals.Count(a => a > warmEnd);
            var perMinute = afterWarmUp / (_arrivals[^1] - warmEnd).TotalMinutes;
            Line($"| calls per 60-s window after warm-up (first 60 s excluded) until the last request: min / mean / max | {min.Calls} / {mean:F0} / {_windows.Max(w => w.Calls)} | min ≥ {Math.Ceiling(RequiredShare * rpm)} |");
            Line($"| share of the limit in use: min / mean | {100.0 * min.Calls / rpm:F1}% / {100 * mean / rpm:F1}% | ≥ {RequiredShare * 100:F0}% |");
            Line($"| emptiest window ends at | t = {min.End.TotalSeconds:F0} s | |");
            Line($"| calls/min after warm-up (requests ÷ minutes) | {perMinute:F0} | |");
            Line($"| longest pause between two requests after warm-up | {LongestPause(warmEnd)} | |");
            Line($"| in flight at the fake after warm-up: mean | {_samples.Where(s => s.At >= warmEnd && s.At <= _arrivals[^1]).Select(s => (double?)s.InFlight).Average() ?? 0:F0} | |");
        }
        else
        {
            Line($"| calls per 60-s window after warm-up | n/a: the last request came within 60 s of the first | |");
        }

        Line($"| most calls in any 60-s window, whole run | {_maxWindow} | ≤ {rpm} |");
        Line($"| 429s from the fake (`Throttled`) | {_throttled} | 0 |");
        Line($"| paid requests at the fake / provider calls in live status / rows | {_arrivals.Count:N0} / {_providerCalls:N0} / {_options.Rows:N0} | one per row |");
        if (_polls > 0)
        {
            Line($"| job-status polls (not paid at the fake) | {_polls:N0} | |");
        }

        Line($"| rows failed / cache hits | {_rowsFailed:N0} / {_cacheHits:N0} | 0 / 0 |");
        Line($"| in flight at the fake: max | {_maxInFlight} | |");
        Line($"| server RSS: idle before the run / peak (VmHWM) | {_idleRss / 1e6:F0} MB / {_peakRss / 1e6:F0} MB | |");
        Line($"| server CPU (utime + stime) during the run: total / average | {_cpu.TotalSeconds:F1} s / {100 * (_cpu / _duration):F1}% of one core | |");
        text.AppendLine();
        text.AppendLine("<details><summary>Every 30 s</summary>");
        text.AppendLine();
        Line($"| t (s) | rows done | requests sent | calls in last 60 s | in flight | RSS (MB) | CPU (last 30 s) |");
        Line($"|---:|---:|---:|---:|---:|---:|---:|");
        PacingSample? previous = null;
        foreach (var sample in _samples.Where((s, i) => i % 30 == 29 || i == _samples.Count - 1))
        {
            var cpu = previous is null ? sample.Cpu / sample.Elapsed : (sample.Cpu - previous.Cpu) / (sample.Elapsed - previous.Elapsed);
            Line($"| {sample.Elapsed.TotalSeconds:F0} | {sample.RowsDone:N0} | {sample.Sent:N0} | {sample.CallsLast60s} | {sample.InFlight} | {sample.Rss / 1e6:F0} | {100 * cpu:F0}% |");
            previous = sample;
        }

        text.AppendLine();
        text.AppendLine("</details>");
        return text.ToString();
    }

    private string LongestPause(DateTimeOffset from)
    {
        var (gap, at) = (TimeSpan.Zero, DateTimeOffset.MinValue);
        for (var i = 1; i < _arrivals.Count; i++)
        {
            if (_arrivals[i] > from && _arrivals[i] - _arrivals[i - 1] > gap)
            {
                (gap, at) = (_arrivals[i] - _arrivals[i - 1], _arrivals[i - 1]);
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"{gap.TotalSeconds:F1} s from t = {(at - _startedAt).TotalSeconds:F0} s");
    }

    private static int UpperBound(IReadOnlyList<DateTimeOffset> sorted, DateTimeOffset value)
    {
        int lo = 0, hi = sorted.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (sorted[mid] <= value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static string Nproc()
    {
        try
        {
            using var nproc = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("nproc") { RedirectStandardOutput = true })!;
            var text = nproc.StandardOutput.ReadToEnd().Trim();
            nproc.WaitForExit();
            return text;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture);
        }
    }

    private static string CpuModel() =>
        ProcLine("/proc/cpuinfo", "model name") is { } line ? line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim() : "CPU model unknown";

    private static string MemTotal() =>
        ProcLine("/proc/meminfo", "MemTotal") is { } line
            ? string.Create(CultureInfo.InvariantCulture, $"{long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0 / 1024:F0} GiB")
            : "memory unknown";

    private static string? ProcLine(string path, string prefix) =>
        File.Exists(path) ? File.ReadLines(path).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) : null;
}

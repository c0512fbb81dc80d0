using System.Globalization;

namespace Enrichflow.Benchmarks.Pacing;

/// <summary>
/// Reads another process's memory and CPU time from <c>/proc</c>: resident set (VmRSS) and its peak (VmHWM) from
/// <c>/proc/PID/status</c>, user plus system time (utime + stime, fields 14 and 15) from <c>/proc/PID/stat</c>.
/// </summary>
public sealed class ProcessMeter(int pid)
{
    /// <summary>USER_HZ, the unit of utime and stime: 100 on every Linux the .NET runtime supports.</summary>
    private const double ClockTicksPerSecond = 100;

    public int Pid { get; } = pid;

    /// <summary>VmRSS and VmHWM in bytes (0 when the process is gone).</summary>
    public (long Rss, long PeakRss) Memory()
    {
        long rss = 0, peak = 0;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = Kilobytes(line) * 1024;
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    peak = Kilobytes(line) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return (rss, peak);
    }

    /// <summary>User plus system CPU time so far (zero when the process is gone).</summary>
    public TimeSpan CpuTime()
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{Pid}/stat");
        }
        catch (IOException)
        {
            return TimeSpan.Zero;
        }

        // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
        var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds((utime + stime) / ClockTicksPerSecond);
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}

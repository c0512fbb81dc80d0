namespace Enrichflow.Benchmarks.Pacing;

/// <summary>
/// One second of the pacing benchmark: paid requests that reached the fake in the 60 s before <paramref name="At"/>
/// and in all, requests the fake is answering, the server's RSS and CPU time since the run started, and the
/// enrichment block's committed rows and the run's status from live status.
/// </summary>
public sealed record PacingSample(
    TimeSpan Elapsed,
    DateTimeOffset At,
    int CallsLast60s,
    int Sent,
    int InFlight,
    long Rss,
    TimeSpan Cpu,
    long RowsDone,
    string Status);

namespace Enrichflow.Engine;

/// <summary>How the engine cuts and schedules work (configuration section <c>Engine</c>).</summary>
public sealed class EngineOptions
{
    /// <summary>Rows per chunk.</summary>
    public int ChunkSize { get; set; } = 1000;

    /// <summary>Work units executed at once by this process.</summary>
    public int Workers { get; set; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>
    /// Units waiting on remote calls (enrichment) at once, besides <see cref="Workers"/>; each holds one chunk of
    /// rows in memory while its calls are paced by the provider limits.
    /// </summary>
    public int IoWorkers { get; set; } = 8;

    /// <summary>How long a claimed unit stays leased without a renewal.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the dispatcher looks for work when nothing woke it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long one unit may run before it is given up as hung and tried again (a failure like any other). Units waiting on enrichment providers are exempt: each call has its own timeout.</summary>
    public TimeSpan UnitTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Attempts of a unit before its run fails.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Prefix CSV cells that a spreadsheet would run as a formula with <c>'</c> (docs/api.md §3.1).</summary>
    public bool CsvFormulaGuard { get; set; } = true;

    /// <summary>A stable name for this process in leases.</summary>
    public string NodeName { get; set; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    public IEnumerable<string> Validate()
    {
        if (ChunkSize is < 1 or > 1_000_000)
        {
            yield return $"Engine:ChunkSize must be between 1 and 1000000 (was {ChunkSize}).";
        }

        if (Workers is < 1 or > 256)
        {
            yield return $"Engine:Workers must be between 1 and 256 (was {Workers}).";
        }

        if (IoWorkers is < 1 or > 1024)
        {
            yield return $"Engine:IoWorkers must be between 1 and 1024 (was {IoWorkers}).";
        }

        if (Lease < TimeSpan.FromSeconds(2))
        {
            yield return $"Engine:Lease must be at least 2 seconds (was {Lease}).";
        }

        if (UnitTimeout < TimeSpan.FromSeconds(1))
        {
            yield return $"Engine:UnitTimeout must be at least 1 second (was {UnitTimeout}).";
        }

        if (MaxAttempts < 1)
        {
            yield return $"Engine:MaxAttempts must be at least 1 (was {MaxAttempts}).";
        }
    }
}

namespace Enrichflow.Hosting.Retention;

/// <summary>How long data is kept and how often the sweep looks (section <c>Retention</c>, docs/api.md §9.1).</summary>
public sealed class RetentionOptions
{
    /// <summary>An ended run (and a paused one not touched) is deleted this many days after it ended, with its results; 30. 0 keeps runs for good.</summary>
    public double RunDays { get; set; } = 30;

    /// <summary>An upload is deleted this many days after it was made, unless a schedule names it or a run can still read it; 7. 0 keeps uploads for good.</summary>
    public double UploadDays { get; set; } = 7;

    /// <summary>An <c>Idempotency-Key</c> record is deleted this many hours after the first request; 24. 0 keeps them for good.</summary>
    public double IdempotencyHours { get; set; } = 24;

    /// <summary>A blob that no record owns (a lost lease's unit file, an upload whose record was never written) is deleted once it is this old; 60.</summary>
    public double OrphanMinutes { get; set; } = 60;

    /// <summary>A temp file of a write that was never committed (a killed process's) is deleted once it is this old; 60.</summary>
    public double TempFileMinutes { get; set; } = 60;

    /// <summary>How often the sweep runs; every 10 minutes, the first time a minute after start.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);

    public IEnumerable<string> Validate()
    {
        foreach (var (name, value, max) in new[]
        {
            ("RunDays", RunDays, 36_500d), ("UploadDays", UploadDays, 36_500d), ("IdempotencyHours", IdempotencyHours, 876_000d),
            ("OrphanMinutes", OrphanMinutes, 525_600d), ("TempFileMinutes", TempFileMinutes, 525_600d),
        })
        {
            if (!double.IsFinite(value) || value < 0 || value > max)
            {
                yield return $"Retention:{name} must be at least 0 and at most {max} (was {value}).";
            }
        }

        if (OrphanMinutes < 1)
        {
            yield return $"Retention:OrphanMinutes must be at least 1, so a blob being written is never taken for an orphan (was {OrphanMinutes}).";
        }

        if (TempFileMinutes < 1)
        {
            yield return $"Retention:TempFileMinutes must be at least 1, so a write in progress is never taken for a stale one (was {TempFileMinutes}).";
        }

        if (Interval < TimeSpan.FromSeconds(1) || Interval > TimeSpan.FromDays(1))
        {
            yield return $"Retention:Interval must be at least 00:00:01 and at most 1.00:00:00 (was {Interval}).";
        }
    }
}

namespace Enrichflow.Hosting.Interactive;

/// <summary>Interactive sessions (section <c>Interactive</c>, docs/api.md §12).</summary>
public sealed class InteractiveOptions
{
    /// <summary>A session with no call for this many minutes finishes by itself; 60. Fractions are allowed (0.5 is 30 s).</summary>
    public double IdleMinutes { get; set; } = 60;

    public TimeSpan Idle => TimeSpan.FromMinutes(IdleMinutes);

    public IEnumerable<string> Validate()
    {
        if (!double.IsFinite(IdleMinutes) || IdleMinutes <= 0 || IdleMinutes > 10_080)
        {
            yield return $"Interactive:IdleMinutes must be more than 0 and at most 10080 (a week) (was {IdleMinutes}).";
        }
    }
}

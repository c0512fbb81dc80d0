namespace Enrichflow.Hosting.Duties;

/// <summary>Background duties leased to one node (section <c>Duties</c>, docs/api.md §9, docs/architecture.md §5).</summary>
public sealed class DutyOptions
{
    public const string Section = "Duties";

    /// <summary>
    /// How long a duty's lease lasts without renewal; 30 s. The holder renews it every third of that, and a node waiting
    /// for the duty tries to take it as often, so a dead holder's duty moves on within about 1⅓ of this.
    /// </summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<string> Validate()
    {
        if (Lease < TimeSpan.FromSeconds(1) || Lease > TimeSpan.FromHours(1))
        {
            yield return $"Duties:Lease must be at least 00:00:01 and at most 01:00:00 (was {Lease}).";
        }
    }
}

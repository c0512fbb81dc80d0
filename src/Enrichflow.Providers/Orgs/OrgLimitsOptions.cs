using Enrichflow.Core.Storage;

namespace Enrichflow.Providers.Orgs;

/// <summary>
/// Server-wide defaults of the per-organization limits (configuration section <c>Limits:Org</c>, docs/api.md §9): each
/// applies to every organization whose own limits (<c>enrichflow orgs limits set</c>) leave it unset; unset is unlimited.
/// </summary>
public sealed class OrgLimitsOptions
{
    public double? CreditsPerDay { get; set; }

    public double? CreditsPerMonth { get; set; }

    public int? MaxRunningRuns { get; set; }

    public int? MaxQueuedRuns { get; set; }

    public long? MaxStoredBytes { get; set; }

    /// <summary>The defaults as limits of <paramref name="orgId"/>.</summary>
    public OrgLimits For(string orgId) => new(orgId, CreditsPerDay, CreditsPerMonth, MaxRunningRuns, MaxQueuedRuns, MaxStoredBytes);

    public IEnumerable<string> Validate()
    {
        if (CreditsPerDay is < 0 || CreditsPerDay is { } day && !double.IsFinite(day))
        {
            yield return $"Limits:Org:CreditsPerDay must be a number of 0 or more (was {CreditsPerDay}).";
        }

        if (CreditsPerMonth is < 0 || CreditsPerMonth is { } month && !double.IsFinite(month))
        {
            yield return $"Limits:Org:CreditsPerMonth must be a number of 0 or more (was {CreditsPerMonth}).";
        }

        if (MaxRunningRuns is < 0)
        {
            yield return $"Limits:Org:MaxRunningRuns must be 0 or more (was {MaxRunningRuns}).";
        }

        if (MaxQueuedRuns is < 0)
        {
            yield return $"Limits:Org:MaxQueuedRuns must be 0 or more (was {MaxQueuedRuns}).";
        }

        if (MaxStoredBytes is < 0)
        {
            yield return $"Limits:Org:MaxStoredBytes must be 0 or more (was {MaxStoredBytes}).";
        }
    }
}

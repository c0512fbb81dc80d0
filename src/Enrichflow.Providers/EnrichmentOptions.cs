using Enrichflow.Providers.Kinds;

namespace Enrichflow.Providers;

/// <summary>Server-wide enrichment settings (configuration section <c>Enrichment</c>).</summary>
public sealed class EnrichmentOptions
{
    /// <summary>How long a "not found" answer is trusted (a run's <c>cache_config.ttl_days</c> may shorten it, never lengthen it).</summary>
    public int NotFoundTtlDays { get; set; } = 7;

    /// <summary>Cache entries older than this are deleted (no run may use them: a run's <c>ttl_days</c> is at most this).</summary>
    public int CacheRetentionDays { get; set; } = 365;

    /// <summary>
    /// Records of provider jobs (<c>IProviderJobStore</c>) submitted longer ago than this are deleted: a job that ended
    /// is forgotten as soon as its answer is kept, so only jobs whose wait gave up or whose run never resumed are left.
    /// </summary>
    public int JobRetentionDays { get; set; } = 7;

    public IEnumerable<string> Validate()
    {
        if (NotFoundTtlDays is < 0 or > 3650)
        {
            yield return $"Enrichment:NotFoundTtlDays must be between 0 and 3650 (was {NotFoundTtlDays}).";
        }

        if (CacheRetentionDays is < 1 or > 3650)
        {
            yield return $"Enrichment:CacheRetentionDays must be between 1 and 3650 (was {CacheRetentionDays}).";
        }

        if (JobRetentionDays is < 1 or > 3650)
        {
            yield return $"Enrichment:JobRetentionDays must be between 1 and 3650 (was {JobRetentionDays}).";
        }
    }
}

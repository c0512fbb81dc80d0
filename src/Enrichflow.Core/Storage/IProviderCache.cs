namespace Enrichflow.Core.Storage;

/// <summary>
/// The persistent provider cache (docs/architecture.md §4 "never pay twice"): a provider's answer to a request, keyed by
/// (organization, provider, request key), written before the row it served is committed. Only found and
/// not-found answers are stored; whether an entry is still fresh is the reader's call (a run's
/// <c>cache_config.ttl_days</c>), from <see cref="ProviderCacheEntry.CreatedAt"/>.
/// </summary>
public interface IProviderCache
{
    Task<ProviderCacheEntry?> GetAsync(string orgId, string provider, string requestKey, CancellationToken cancellationToken);

    /// <summary>The entries that exist among <paramref name="requestKeys"/>, by key (used by the estimate).</summary>
    Task<IReadOnlyDictionary<string, ProviderCacheEntry>> GetManyAsync(string orgId, string provider, IReadOnlyCollection<string> requestKeys, CancellationToken cancellationToken);

    /// <summary>Adds the entry or replaces the one with the same key.</summary>
    Task PutAsync(ProviderCacheEntry entry, CancellationToken cancellationToken);

    /// <summary>Deletes entries created before <paramref name="cutoff"/>; returns how many.</summary>
    Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}

/// <param name="Outcome">"found" or "not_found".</param>
/// <param name="AnswerJson">The answer as the caller serialized it.</param>
/// <param name="Credits">What the call that produced the answer cost.</param>
public sealed record ProviderCacheEntry(
    string OrgId,
    string Provider,
    string RequestKey,
    string Outcome,
    string AnswerJson,
    double Credits,
    DateTimeOffset CreatedAt);

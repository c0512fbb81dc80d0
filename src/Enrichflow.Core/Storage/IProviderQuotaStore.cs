namespace Enrichflow.Core.Storage;

/// <summary>
/// A provider's limits held for a whole cluster (docs/architecture.md §4, "Limits"): every node asks the store for
/// request grants and for its share of the in-flight slots, and the store, one transaction at a time per provider,
/// keeps the sum of all nodes' grants within the provider's limits. Times are the store's own clock (one clock for
/// every node, whatever theirs say); a node never holds more than it was granted, and a node that dies leaves its
/// grants to run out.
/// </summary>
public interface IProviderQuotaStore
{
    /// <summary>
    /// Grants up to <see cref="RequestQuotaAsk.Wanted"/> requests to send now, by <see cref="RequestQuotaRule"/>: paced
    /// at a little under the limit, never more than <see cref="RequestQuotaAsk.Limit"/> granted within any
    /// <see cref="RequestQuotaRule.AccountedWindow"/>, none while a 429 hold is on. A grant must be sent within
    /// <see cref="RequestQuotaAsk.TokenLife"/> of the call that asked for it, or not at all.
    /// </summary>
    Task<RequestQuota> TakeRequestsAsync(RequestQuotaAsk ask, CancellationToken cancellationToken);

    /// <summary>Holds every node's requests of <paramref name="provider"/> for <paramref name="hold"/> from now (a 429's Retry-After); a longer hold already on stays.</summary>
    Task HoldRequestsAsync(string provider, TimeSpan hold, CancellationToken cancellationToken);

    /// <summary>
    /// Sets this node's share of the provider's in-flight slots, by <see cref="SlotShareRule"/>, leased until
    /// <see cref="SlotShareAsk.Lease"/> from now: the node may have that many calls in flight until the lease runs out.
    /// Asking with nothing in use and nothing wanted gives the share up.
    /// </summary>
    Task<int> ShareSlotsAsync(SlotShareAsk ask, CancellationToken cancellationToken);

    /// <summary>Every node's unexpired share of the provider's slots, by node (for status and tests).</summary>
    Task<IReadOnlyList<SlotShare>> GetSlotSharesAsync(string provider, CancellationToken cancellationToken);
}

/// <summary>A node's ask for request grants: up to <paramref name="Wanted"/> of <paramref name="Provider"/>, whose limit is <paramref name="Limit"/> per <paramref name="Window"/>.</summary>
public sealed record RequestQuotaAsk(string Provider, int Wanted, int Limit, TimeSpan Window, TimeSpan TokenLife);

/// <summary>What the store granted (0 to the ask), and when none were, how long to wait before asking again.</summary>
public readonly record struct RequestQuota(int Granted, TimeSpan RetryAfter);

/// <summary>
/// A node's report and ask for slots: <paramref name="InUse"/> calls in flight now, <paramref name="Wanted"/> it could
/// use (in flight and waiting), of the cluster's <paramref name="Limit"/>.
/// </summary>
public sealed record SlotShareAsk(string Provider, string Node, int InUse, int Wanted, int Limit, TimeSpan Lease);

/// <summary>A node's share of a provider's slots: what it holds (counted against the limit) and wants, and when its lease ends.</summary>
public sealed record SlotShare(string Node, int Held, int Wanted, DateTimeOffset ExpiresAt);

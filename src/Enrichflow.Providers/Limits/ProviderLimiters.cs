using System.Collections.Concurrent;

namespace Enrichflow.Providers.Limits;

/// <summary>
/// One <see cref="ProviderLimiter"/> per provider, shared by every run in this process; with <paramref name="shared"/>,
/// each takes its limits from the cluster's store.
/// </summary>
public sealed class ProviderLimiters(TimeProvider time, SharedProviderLimits? shared = null) : IDisposable
{
    private readonly ConcurrentDictionary<string, ProviderLimiter> _limiters = new(StringComparer.Ordinal);

    /// <summary>
    /// The provider's limiter, made with <paramref name="limits"/> on first use; later limits are ignored.
    /// (Two first callers may both build one; the loser holds no timer or waiter yet, so dropping it is free.)
    /// </summary>
    public ProviderLimiter For(string provider, ProviderLimits limits)
    {
        var limiter = _limiters.GetOrAdd(provider, static (name, state) => new ProviderLimiter(name, state.limits, state.time), (limits, time));
        shared?.Attach(limiter);
        return limiter;
    }

    /// <summary>Whether the limits are the cluster's (held through the store) rather than this process's alone.</summary>
    public bool AreShared => shared is not null;

    /// <summary>The limiter of a provider that has one, else null.</summary>
    public ProviderLimiter? Find(string provider) => _limiters.GetValueOrDefault(provider);

    /// <summary>What every provider's limiter is doing now, by provider name.</summary>
    public IReadOnlyList<ProviderLimiterSnapshot> Snapshot() =>
        [.. _limiters.Values.Select(limiter => limiter.Snapshot()).OrderBy(snapshot => snapshot.Provider, StringComparer.Ordinal)];

    public void Dispose()
    {
        foreach (var limiter in _limiters.Values)
        {
            limiter.Dispose();
        }
    }
}

using System.Collections.Concurrent;

namespace Enrichflow.Blocks.Enrichment.Limits;

/// <summary>One <see cref="ProviderLimiter"/> per provider, shared by every run in this process.</summary>
public sealed class ProviderLimits(TimeProvider time) : IDisposable
{
    private readonly ConcurrentDictionary<string, ProviderLimiter> _limiters = new(StringComparer.Ordinal);

    public ProviderLimiter For(string provider, ProviderLimitsSettings settings) =>
        _limiters.GetOrAdd(provider, name => new ProviderLimiter(name, settings, time));

    /// <summary>The limiter of a provider that has one, else null.</summary>
    public ProviderLimiter? Find(string provider) => _limiters.GetValueOrDefault(provider);

    public void Dispose()
    {
        foreach (var limiter in _limiters.Values)
        {
            limiter.Dispose();
        }
    }
}

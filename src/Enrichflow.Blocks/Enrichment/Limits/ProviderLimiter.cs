namespace Enrichflow.Blocks.Enrichment.Limits;

/// <summary>
/// SKELETON (to be implemented): a provider's requests-per-minute token bucket and max-in-flight gate.
/// </summary>
public sealed class ProviderLimiter(string provider, ProviderLimitsSettings settings, TimeProvider time) : IDisposable
{
    public string Provider { get; } = provider;

    public ProviderLimitsSettings Settings { get; } = settings;

    /// <summary>Waits for an in-flight slot, fair between runs (round robin), lowest priority value first within a run.</summary>
    public ValueTask<IDisposable> AcquireSlotAsync(Guid runId, long priority, CancellationToken cancellationToken) =>
        throw new NotImplementedException(time.ToString());

    /// <summary>Waits for one request token (each HTTP attempt takes one).</summary>
    public ValueTask AcquireRequestAsync(CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>A 429: hold every request until <paramref name="retryAfter"/> has passed and slow the bucket down.</summary>
    public void OnThrottled(TimeSpan? retryAfter) => throw new NotImplementedException();

    public ProviderLimiterSnapshot Snapshot() => throw new NotImplementedException();

    public void Dispose()
    {
    }
}

/// <summary>What a limiter is doing now (for live status, logs and the pacing benchmark).</summary>
public sealed record ProviderLimiterSnapshot(string Provider, int InFlight, int Waiting, double CurrentRequestsPerMinute, DateTimeOffset? ThrottledUntil);

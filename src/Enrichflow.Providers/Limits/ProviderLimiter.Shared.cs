namespace Enrichflow.Providers.Limits;

/// <summary>
/// A limiter whose limits are the cluster's (<see cref="SharedProviderLimits"/>): its calls in flight stay within the
/// share of slots the store leased to this process, and each request needs, besides this process's own pacing, a
/// token the store granted, used within the token's life or dropped.
/// </summary>
public sealed partial class ProviderLimiter
{
    private readonly Queue<TokenBlock> _tokens = new();
    private SharedProviderLimit? _shared;

    /// <summary>True once the limiter takes its limits from the cluster.</summary>
    public bool IsShared => _shared is not null;

    /// <summary>
    /// Makes the cluster's limits this limiter's: no slot and no request until the store grants them. Once only,
    /// before the limiter is handed to any caller.
    /// </summary>
    internal void Share(SharedProviderLimit shared)
    {
        lock (_slotLock)
        {
            lock (_requestLock)
            {
                if (_shared is not null)
                {
                    return;
                }

                _shared = shared;
                if (Limits.MaxConcurrency > 0)
                {
                    _slotCapacity = 0;
                }
            }
        }
    }

    /// <summary>Adds <paramref name="count"/> request tokens granted by the store, usable until <paramref name="expiresAt"/> (a timestamp of <see cref="Time"/>).</summary>
    internal void AddRequestTokens(int count, long expiresAt)
    {
        lock (_requestLock)
        {
            var now = _time.GetTimestamp();
            if (count <= 0 || expiresAt <= now)
            {
                return;
            }

            _tokens.Enqueue(new TokenBlock(count, expiresAt));
            if (_requestTurns.First is not null)
            {
                ScheduleTimer(Math.Max(EligibleAt(), now), now);
            }
        }
    }

    /// <summary>Requests waiting for a token, and the tokens this process holds that are still usable.</summary>
    internal (int Waiting, int Tokens) RequestDemand()
    {
        lock (_requestLock)
        {
            DropExpiredTokens(_time.GetTimestamp());
            return (_requestWaiting, _tokens.Sum(block => block.Count));
        }
    }

    /// <summary>Whether a request may take a token now (always, when the provider has no requests-per-minute limit). Under the request lock.</summary>
    private bool HasSharedToken()
    {
        if (Limits.RequestsPerMinute <= 0)
        {
            return true;
        }

        DropExpiredTokens(_time.GetTimestamp());
        return _tokens.Count > 0;
    }

    /// <summary>Uses one token, the oldest. Under the request lock, after <see cref="HasSharedToken"/> said yes.</summary>
    private void TakeSharedToken()
    {
        if (Limits.RequestsPerMinute <= 0 || !_tokens.TryPeek(out var block))
        {
            return;
        }

        if (--block.Count == 0)
        {
            _tokens.Dequeue();
        }
    }

    private void DropExpiredTokens(long now)
    {
        while (_tokens.TryPeek(out var block) && block.ExpiresAt <= now)
        {
            _tokens.Dequeue();
        }
    }

    /// <summary>Tokens of one grant: how many are left, and when they must not be used any more.</summary>
    private sealed class TokenBlock(int count, long expiresAt)
    {
        public int Count { get; set; } = count;

        public long ExpiresAt { get; } = expiresAt;
    }
}

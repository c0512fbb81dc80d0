namespace Enrichflow.Blocks.Validation;

/// <summary>
/// A small thread-safe least-recently-used cache with a time to live: at most <c>capacity</c> entries, the least
/// recently read one evicted first; an entry older than the time to live is never returned.
/// </summary>
internal sealed class BoundedCache<TValue>(int capacity, TimeSpan timeToLive, TimeProvider time)
{
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _recency = new();
    private readonly Lock _gate = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    public bool TryGet(string key, out TValue value)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                if (node.Value.ExpiresAt > now)
                {
                    _recency.Remove(node);
                    _recency.AddFirst(node);
                    value = node.Value.Value;
                    return true;
                }

                _recency.Remove(node);
                _entries.Remove(key);
            }
        }

        value = default!;
        return false;
    }

    public void Set(string key, TValue value)
    {
        if (capacity <= 0 || timeToLive <= TimeSpan.Zero)
        {
            return;
        }

        var entry = new Entry(key, value, time.GetUtcNow() + timeToLive);
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var existing))
            {
                _recency.Remove(existing);
            }
            else if (_entries.Count >= capacity && _recency.Last is { } oldest)
            {
                _recency.RemoveLast();
                _entries.Remove(oldest.Value.Key);
            }

            _entries[key] = _recency.AddFirst(entry);
        }
    }

    private sealed record Entry(string Key, TValue Value, DateTimeOffset ExpiresAt);
}

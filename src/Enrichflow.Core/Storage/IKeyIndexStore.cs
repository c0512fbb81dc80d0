namespace Enrichflow.Core.Storage;

/// <summary>Which occurrence of a key wins.</summary>
public enum KeyKeep
{
    /// <summary>The lowest row index.</summary>
    First,

    /// <summary>The highest row index.</summary>
    Last,

    /// <summary>Whoever recorded the key first (a notebook: a key appended last week stays with that row).</summary>
    Existing,
}

/// <summary>
/// A persistent index from row keys (hashes) to the row that holds them, per scope (a run's deduplicate block,
/// later a notebook). It is how blocks that must know every key of a run stay memory-bounded: the keys live in
/// the store, never in a process-wide set. Recording is idempotent (a re-run unit records the same minimum or
/// maximum), so it needs no lease.
/// </summary>
public interface IKeyIndexStore
{
    /// <summary>Records each key with its row index, keeping the lowest (first) or highest (last) index per key.</summary>
    Task RecordAsync(string scope, IReadOnlyList<KeyEntry> entries, KeyKeep keep, CancellationToken cancellationToken);

    /// <summary>The recorded row index of each key, in the same order; -1 where a key is not recorded.</summary>
    Task<long[]> LookupAsync(string scope, IReadOnlyList<byte[]> keys, CancellationToken cancellationToken);

    /// <summary>Adds each (key, location) pair to a multi-map (a key may have many locations); idempotent.</summary>
    Task AddAllAsync(string scope, IReadOnlyList<KeyEntry> entries, CancellationToken cancellationToken);

    /// <summary>Every location recorded for each key by <see cref="AddAllAsync"/>, ascending; empty where none.</summary>
    Task<long[][]> LookupAllAsync(string scope, IReadOnlyList<byte[]> keys, CancellationToken cancellationToken);

    /// <summary>Deletes every scope that starts with <paramref name="scopePrefix"/>.</summary>
    Task DeleteScopesAsync(string scopePrefix, CancellationToken cancellationToken);
}

/// <summary>A key (a hash of its normalized text) and the row that holds it.</summary>
public readonly record struct KeyEntry(byte[] Key, long RowIndex);

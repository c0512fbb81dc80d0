using System.Collections.Concurrent;

namespace Enrichflow.Engine.Status;

/// <summary>
/// Rows that blocks of units still under way in this process have finished, before the units commit: an
/// enrichment chunk takes minutes, and live status shows its rows as they are done instead of a thousand at a time.
/// Counts live only while the unit runs; the committed counters are the record.
/// </summary>
public sealed class ChunkProgress
{
    private readonly ConcurrentDictionary<(Guid RunId, string BlockId, int Chunk), int> _done = new();

    public void Add(Guid runId, string blockId, int chunk, int rows) =>
        _done.AddOrUpdate((runId, blockId, chunk), rows, (_, done) => done + rows);

    /// <summary>The unit ended (committed or not): its rows count through the store, or not at all.</summary>
    public void Clear(Guid runId, string blockId, int chunk) => _done.TryRemove((runId, blockId, chunk), out _);

    /// <summary>Rows of the block finished by units under way, over all chunks.</summary>
    public long InFlight(Guid runId, string blockId)
    {
        long total = 0;
        foreach (var ((run, block, _), rows) in _done)
        {
            if (run == runId && block == blockId)
            {
                total += rows;
            }
        }

        return total;
    }
}

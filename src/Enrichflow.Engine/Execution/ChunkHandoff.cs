using System.Collections.Concurrent;
using Enrichflow.Core.Rows;

namespace Enrichflow.Engine.Execution;

/// <summary>
/// Hands a chunk that a unit just wrote straight to the unit that reads it next, when both run in this process:
/// the reader takes the rows instead of reading and decoding the stored chunk. The stored chunk stays the truth:
/// an entry is keyed by the writer's output tag, so a reader only takes rows of the committed attempt, and it is
/// taken at most once (the taker owns and may edit the rows). Bounded; what falls out is read from storage.
/// </summary>
public sealed class ChunkHandoff(int capacity = 16)
{
    private readonly ConcurrentDictionary<(Guid Run, string Block, int Chunk, Guid Tag), RowChunk> _chunks = new();
    private readonly ConcurrentQueue<(Guid, string, int, Guid)> _order = new();

    public void Offer(Guid runId, string blockId, int chunk, Guid tag, RowChunk rows)
    {
        var key = (runId, blockId, chunk, tag);
        if (_chunks.TryAdd(key, rows))
        {
            _order.Enqueue(key);
        }

        while (_chunks.Count > capacity && _order.TryDequeue(out var oldest))
        {
            _chunks.TryRemove(oldest, out _);
        }
    }

    public RowChunk? Take(Guid runId, string blockId, int chunk, Guid tag) =>
        _chunks.TryRemove((runId, blockId, chunk, tag), out var rows) ? rows : null;
}

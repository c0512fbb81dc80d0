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
    private readonly SemaphoreSlim _taken = new(0);

    /// <summary>
    /// Waits (at most <paramref name="max"/>) while the handoff is full, so a source that runs ahead of its readers
    /// pauses rather than pushing out chunks they would then read back from storage; a reader that takes nothing for
    /// that long (a slow enrichment, units run elsewhere) does not hold the source back further.
    /// </summary>
    public async ValueTask WaitForRoomAsync(TimeSpan max, CancellationToken cancellationToken)
    {
        var deadline = Environment.TickCount64 + (long)max.TotalMilliseconds;
        while (_chunks.Count >= capacity)
        {
            var left = deadline - Environment.TickCount64;
            if (left <= 0 || !await _taken.WaitAsync(TimeSpan.FromMilliseconds(left), cancellationToken))
            {
                return;
            }
        }
    }

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

    public RowChunk? Take(Guid runId, string blockId, int chunk, Guid tag)
    {
        if (!_chunks.TryRemove((runId, blockId, chunk, tag), out var rows))
        {
            return null;
        }

        if (_taken.CurrentCount == 0)
        {
            _taken.Release();
        }

        return rows;
    }
}

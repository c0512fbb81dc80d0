using System.Collections.Concurrent;
using Enrichflow.Blocks.Spill;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;
using Enrichflow.Core.Storage;

namespace Enrichflow.Blocks.Merge;

/// <summary>
/// <c>merge</c> with <c>mode: join</c>: each row of the first input is matched, on its <c>join_key.left</c>
/// value (trimmed, case-insensitive), with every row of the second input whose <c>join_key.right</c> value is the
/// same, in the second input's order: one output row per match, the second row's columns added where the first
/// row lacks them. <c>left</c> keeps unmatched rows, <c>inner</c> sends them to rejects. Output rows are numbered
/// (left row, match) so they keep the first input's order.
/// <para>
/// A Grace hash join through the blob store (<see cref="JoinSpill"/>), so either input may be larger than memory.
/// First pass, per chunk of either input as it is committed: its keyed rows are hashed into partitions, one file per
/// chunk (the second input's rows, the first input's keys and positions). Second pass, per chunk of the first input:
/// each partition its keys hash to is joined (once, by whichever unit needs it first; a unit starts with a partition
/// of its own so parallel units spread the work, and skips one another unit is joining), and the chunk's rows are
/// put together from the partitions' matches in the chunk's order.
/// </para>
/// </summary>
internal sealed class JoinBlock(string leftKey, string rightKey, bool inner) : MergeBlock
{
    /// <summary>Room for the matches of one left row in the output's row numbers (at most 2^16 matches per row).</summary>
    internal const int MatchBits = 16;

    /// <summary>The partitions being joined by a unit of this process (which another unit then skips, then waits for).</summary>
    private readonly ConcurrentDictionary<(Guid Run, int Partition), SemaphoreSlim> _joining = new();

    /// <summary>
    /// Each joined partition's out file, kept open once read, with where each chunk's section is in it (the file never
    /// changes): every first-input chunk reads a section of every partition.
    /// </summary>
    private readonly ConcurrentDictionary<(Guid Run, int Partition), OutFile> _outFiles = new();

    public override bool HasBuildSide => true;

    public override IReadOnlyList<ColumnReference> ColumnReferences { get; } =
        [new(leftKey, ["join_key", "left"]) { Input = 0 }, new(rightKey, ["join_key", "right"]) { Input = 1 }];

    public override IReadOnlyList<string>? OutputColumns(IReadOnlyList<string> input) => null;

    public override async ValueTask ObserveAsync(int inputIndex, RowChunk input, BlockRunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var spill = Spill(context);
        if (inputIndex == 0)
        {
            await spill.WriteProbeAsync(input.Index, [.. input.Rows.Select(KeyOf)], cancellationToken);
        }
        else
        {
            await spill.WriteBuildAsync(input, cancellationToken);
        }
    }

    public override async ValueTask ProcessAsync(int inputIndex, RowChunk input, ChunkOutput output, BlockRunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(context);
        var keys = input.Rows.Select(KeyOf).ToArray();
        var partitions = new SortedSet<int>(keys.OfType<string>().Select(JoinSpill.PartitionOf));
        var spill = Spill(context);
        await EnsureJoinedAsync(spill, context.RunId, partitions, input.Index % JoinSpill.Partitions, cancellationToken);
        var matches = new JoinMatches?[JoinSpill.Partitions];
        foreach (var partition in partitions)
        {
            matches[partition] = await ReadMatchesAsync(spill, context.RunId, partition, input.Index, cancellationToken);
        }

        for (var i = 0; i < input.Count; i++)
        {
            var row = input.Rows[i];
            var found = keys[i] is { } key ? matches[JoinSpill.PartitionOf(key)]! : null;
            var start = 0;
            var count = found?.Take(i, out start) ?? 0;
            if (count == 0)
            {
                if (inner)
                {
                    output.Reject(row, $"join: no row of the second input has {rightKey} = '{row.GetText(leftKey)}'");
                }
                else
                {
                    output.Emit(Renumbered(row, 0));
                }

                continue;
            }

            if (count > JoinSpill.MaxMatches)
            {
                output.Fail(row, $"join: {count} rows of the second input have {rightKey} = '{row.GetText(leftKey)}'; at most {JoinSpill.MaxMatches} matches per row are joined");
                continue;
            }

            for (var m = 0; m < count; m++)
            {
                var joined = Renumbered(row, m);
                foreach (var (column, value) in found!.Rows[start + m])
                {
                    // Each match was read on its own from the file, so its values are not shared with another row.
                    joined.TryAdd(column, value);
                }

                output.Emit(joined);
            }
        }
    }

    /// <summary>Forgets the spilled state once the run can no longer continue (a failed run keeps it for <c>resume</c>).</summary>
    public override async ValueTask OnRunEndedAsync(BlockRunEndContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var entry in _joining.Where(e => e.Key.Run == context.Run.Id))
        {
            _joining.TryRemove(entry.Key, out _);
        }

        foreach (var entry in _outFiles.Where(e => e.Key.Run == context.Run.Id))
        {
            if (_outFiles.TryRemove(entry.Key, out var file))
            {
                await file.Reader.DisposeAsync();
            }
        }

        if (context.Run.Status is RunStatus.Completed or RunStatus.Cancelled && context.Services.GetService(typeof(IBlobStore)) is IBlobStore blobs)
        {
            await blobs.DeletePrefixAsync(JoinSpill.Prefix(context.Run.Id, context.BlockId), cancellationToken);
        }
    }

    /// <summary>
    /// Makes sure every partition in <paramref name="partitions"/> is joined, starting at <paramref name="start"/>:
    /// a partition another unit of this process is joining is skipped while others remain, then waited for.
    /// </summary>
    private async Task EnsureJoinedAsync(JoinSpill spill, Guid runId, IEnumerable<int> partitions, int start, CancellationToken cancellationToken)
    {
        var pending = partitions.Where(p => p >= start).Concat(partitions.Where(p => p < start)).ToList();
        while (pending.Count > 0)
        {
            var joinedOne = false;
            for (var i = 0; i < pending.Count;)
            {
                var gate = _joining.GetOrAdd((runId, pending[i]), _ => new SemaphoreSlim(1, 1));
                if (!await gate.WaitAsync(0, cancellationToken))
                {
                    i++;
                    continue;
                }

                await JoinAsync(spill, pending[i], gate, cancellationToken);
                pending.RemoveAt(i);
                joinedOne = true;
            }

            if (!joinedOne)
            {
                var gate = _joining.GetOrAdd((runId, pending[0]), _ => new SemaphoreSlim(1, 1));
                await gate.WaitAsync(cancellationToken);
                await JoinAsync(spill, pending[0], gate, cancellationToken);
                pending.RemoveAt(0);
            }
        }
    }

    private static async Task JoinAsync(JoinSpill spill, int partition, SemaphoreSlim gate, CancellationToken cancellationToken)
    {
        try
        {
            await spill.EnsureJoinedAsync(partition, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// The matches of one chunk in one joined partition, through the partition's out file kept open by this process
    /// (where the blob store hands out files; else opened for this read).
    /// </summary>
    private async Task<JoinMatches> ReadMatchesAsync(JoinSpill spill, Guid runId, int partition, int chunk, CancellationToken cancellationToken)
    {
        if (_outFiles.TryGetValue((runId, partition), out var file))
        {
            return await JoinSpill.ReadMatchesAsync(file.Reader, file.Index, chunk, cancellationToken);
        }

        var reader = await spill.OpenOutAsync(partition, cancellationToken);
        try
        {
            var opened = new OutFile(reader, await JoinSpill.ReadOutIndexAsync(reader, cancellationToken));
            var matches = await JoinSpill.ReadMatchesAsync(reader, opened.Index, chunk, cancellationToken);
            if (reader.IsRandomAccess && _outFiles.TryAdd((runId, partition), opened))
            {
                reader = null;
            }

            return matches;
        }
        finally
        {
            if (reader is not null)
            {
                await reader.DisposeAsync();
            }
        }
    }

    private sealed record OutFile(BlobReader Reader, Dictionary<int, (long Offset, int Length)> Index);

    /// <summary>A copy of a left row numbered (left row, match), so matches stay together in the left input's order.</summary>
    private static Row Renumbered(Row row, int match) => row.CopyAs((row.Index << MatchBits) | (long)match, extraColumns: 8);

    private string? KeyOf(Row row) => JoinSpill.KeyOf(row.GetText(leftKey));

    private JoinSpill Spill(BlockRunContext context) =>
        new(BlockServices.Require<IBlobStore>(context, "a blob store"), JoinSpill.Prefix(context.RunId, context.BlockId), rightKey);
}

using Enrichflow.Core.Rows;
using Enrichflow.Core.Storage;

namespace Enrichflow.Blocks.GroupBy;

/// <summary>
/// Where <c>group_by</c> keeps its state: blobs under <c>runs/{run}/blocks/{block}/group_by/</c>.
/// <code>
/// obs/{bucket}/{chunk}.efc   the partial aggregates of one chunk's groups in one bucket (first pass)
/// out/{chunk}/{bucket}.efc   the final rows of the groups first seen in that chunk (the bucket's reduce)
/// done/{bucket}              written last by a bucket's reduce: its out files are complete
/// </code>
/// Every file is a pure function of the input, written whole or not at all, so a unit that runs twice (or two units
/// reducing the same bucket at once) writes the same bytes, and a process killed at any point leaves nothing wrong.
/// </summary>
internal sealed class GroupSpill(IBlobStore blobs, string prefix, IReadOnlyList<string> columns, IReadOnlyList<GroupAggregation> aggregations)
{
    /// <summary>How many buckets the groups are hashed into: a reduce holds one bucket's groups in memory.</summary>
    public const int Buckets = 16;

    /// <summary>The column of an out row that gives the group's first position in its chunk (removed before emit).</summary>
    private const string PositionColumn = "\u0001position";

    public static string Prefix(Guid runId, string blockId) => $"runs/{runId:N}/blocks/{blockId}/group_by/";

    public static int BucketOf(string key)
    {
        // FNV-1a: stable across processes and versions (string.GetHashCode is randomised per process).
        var hash = 2166136261u;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % Buckets);
    }

    public async Task WritePartialsAsync(int bucket, int chunk, List<GroupState> states, CancellationToken cancellationToken) =>
        await WriteAsync($"{prefix}obs/{bucket:D2}/{chunk:D7}.efc", new RowChunk(chunk, [.. states.Select(s => s.ToPartial())]), cancellationToken);

    /// <summary>The rows of the groups first seen in <paramref name="chunk"/> that hash to <paramref name="bucket"/>, by first position.</summary>
    public async Task<List<(int Position, Row Row)>> ReadGroupsAsync(int chunk, int bucket, CancellationToken cancellationToken)
    {
        await EnsureReducedAsync(bucket, cancellationToken);
        var key = $"{prefix}out/{chunk:D7}/{bucket:D2}.efc";
        if (await blobs.GetSizeAsync(key, cancellationToken) is null)
        {
            return [];
        }

        var rows = await ReadAsync(key, cancellationToken);
        return [.. rows.Rows.Select(r =>
        {
            var position = (int)(long)r[PositionColumn]!;
            r.Remove(PositionColumn);
            return (position, r);
        })];
    }

    /// <summary>
    /// Merges the bucket's partials in chunk order and writes each group's final row beside the chunk that saw it
    /// first; skipped when an earlier unit (in this process or before a crash) finished it.
    /// </summary>
    private async Task EnsureReducedAsync(int bucket, CancellationToken cancellationToken)
    {
        var done = $"{prefix}done/{bucket:D2}";
        if (await blobs.GetSizeAsync(done, cancellationToken) is not null)
        {
            return;
        }

        var groups = new Dictionary<string, GroupState>(StringComparer.Ordinal);
        // Listed in ordinal order, which is chunk order: merging in it keeps first, last, list and concat in row order.
        await foreach (var key in blobs.ListAsync($"{prefix}obs/{bucket:D2}/", cancellationToken))
        {
            foreach (var partial in (await ReadAsync(key, cancellationToken)).Rows)
            {
                var later = GroupState.FromPartial(partial, columns.Count, aggregations);
                if (groups.TryGetValue(later.Key, out var state))
                {
                    state.Merge(later);
                }
                else
                {
                    groups.Add(later.Key, later);
                }
            }
        }

        foreach (var seen in groups.Values.GroupBy(g => g.FirstChunk))
        {
            var rows = seen.OrderBy(g => g.FirstPosition).Select(g =>
            {
                var row = g.ToOutput(columns);
                row[PositionColumn] = (long)g.FirstPosition;
                return row;
            }).ToList();
            await WriteAsync($"{prefix}out/{seen.Key:D7}/{bucket:D2}.efc", new RowChunk(seen.Key, rows), cancellationToken);
        }

        await WriteAsync(done, new RowChunk(bucket, []), cancellationToken);
    }

    private async Task WriteAsync(string key, RowChunk chunk, CancellationToken cancellationToken)
    {
        await using var writer = await blobs.CreateAsync(key, cancellationToken);
        await ChunkFormat.WriteAsync(writer.Stream, chunk, cancellationToken);
        await writer.CommitAsync(cancellationToken);
    }

    private async Task<RowChunk> ReadAsync(string key, CancellationToken cancellationToken)
    {
        await using var stream = await blobs.OpenReadAsync(key, cancellationToken);
        return await ChunkFormat.ReadAsync(stream, cancellationToken);
    }
}

using System.Security.Cryptography;
using System.Text;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;
using Enrichflow.Core.Storage;

namespace Enrichflow.Blocks.Merge;

/// <summary>
/// <c>merge</c> with <c>mode: join</c>: each row of the first input is matched, on its <c>join_key.left</c>
/// value (trimmed, case-insensitive), with the first row of the second input whose <c>join_key.right</c> value is
/// the same; the second row's columns are added where the first row lacks them. <c>left</c> keeps unmatched rows,
/// <c>inner</c> sends them to rejects. The second input (the build side) is indexed in the store — key to the row's
/// chunk and position — and its rows are read back chunk by chunk, so it may be larger than memory.
/// </summary>
internal sealed class JoinBlock(string leftKey, string rightKey, bool inner) : MergeBlock
{
    private const int PositionBits = 20;

    public override bool HasBuildSide => true;

    public override IReadOnlyList<string>? OutputColumns(IReadOnlyList<string> input) => null;

    public override async ValueTask ObserveBuildAsync(RowChunk build, BlockRunContext context, CancellationToken cancellationToken)
    {
        var entries = new List<KeyEntry>(build.Count);
        for (var i = 0; i < build.Count; i++)
        {
            if (KeyOf(build.Rows[i], rightKey) is { } key)
            {
                entries.Add(new KeyEntry(key, ((long)build.Index << PositionBits) | (long)i));
            }
        }

        await Keys(context).RecordAsync(KeyScopes.Block(context.RunId, context.BlockId), entries, KeyKeep.First, cancellationToken);
    }

    public override async ValueTask ProcessAsync(int inputIndex, RowChunk input, ChunkOutput output, Func<int, CancellationToken, Task<RowChunk>> readBuildChunk, BlockRunContext context, CancellationToken cancellationToken)
    {
        var keys = input.Rows.Select(r => KeyOf(r, leftKey)).ToList();
        var present = keys.Where(k => k is not null).Select(k => k!).ToList();
        var found = await Keys(context).LookupAsync(KeyScopes.Block(context.RunId, context.BlockId), present, cancellationToken);
        var chunks = new Dictionary<int, RowChunk>();
        var f = 0;
        for (var i = 0; i < input.Count; i++)
        {
            var row = input.Rows[i];
            var location = keys[i] is null ? -1 : found[f++];
            if (location < 0)
            {
                if (inner)
                {
                    output.Reject(row, $"join: no row of the second input has {rightKey} = '{row.GetText(leftKey)}'");
                }
                else
                {
                    output.Emit(row);
                }

                continue;
            }

            var chunk = (int)(location >> PositionBits);
            if (!chunks.TryGetValue(chunk, out var build))
            {
                build = await readBuildChunk(chunk, cancellationToken);
                chunks[chunk] = build;
            }

            foreach (var (column, value) in build.Rows[(int)(location & ((1 << PositionBits) - 1))])
            {
                row.TryAdd(column, value);
            }

            output.Emit(row);
        }
    }

    private static byte[]? KeyOf(Row row, string column)
    {
        var text = row.GetText(column)?.Trim().ToLowerInvariant();
        return string.IsNullOrEmpty(text) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(text))[..16];
    }

    private static IKeyIndexStore Keys(BlockRunContext context) =>
        context.Services.GetService(typeof(IKeyIndexStore)) as IKeyIndexStore
        ?? throw new InvalidOperationException("A join needs a key index store, and none is configured.");
}

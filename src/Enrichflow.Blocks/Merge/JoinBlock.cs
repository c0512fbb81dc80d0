using Enrichflow.Blocks.Dedupe;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;
using Enrichflow.Core.Storage;

namespace Enrichflow.Blocks.Merge;

/// <summary>
/// <c>merge</c> with <c>mode: join</c>: each row of the first input is matched, on its <c>join_key.left</c>
/// value (trimmed, case-insensitive), with every row of the second input whose <c>join_key.right</c> value is the
/// same, in the second input's order: one output row per match, the second row's columns added where the first
/// row lacks them. <c>left</c> keeps unmatched rows, <c>inner</c> sends them to rejects. Output rows are numbered
/// (left row, match) so they keep the first input's order. The second input (the build side) is indexed in the store — key to the row's
/// chunk and position — and its rows are read back chunk by chunk, so it may be larger than memory.
/// </summary>
internal sealed class JoinBlock(string leftKey, string rightKey, bool inner) : MergeBlock
{
    private const int PositionBits = 20;

    /// <summary>Room for the matches of one left row in the output's row numbers (at most 2^16 matches per row).</summary>
    private const int MatchBits = 16;

    public override bool HasBuildSide => true;

    public override IReadOnlyList<ColumnReference> ColumnReferences { get; } =
        [new(leftKey, ["join_key", "left"]) { Input = 0 }, new(rightKey, ["join_key", "right"]) { Input = 1 }];

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

        await Keys(context).AddAllAsync(KeyScopes.Block(context.RunId, context.BlockId), entries, cancellationToken);
    }

    public override async ValueTask ProcessAsync(int inputIndex, RowChunk input, ChunkOutput output, Func<int, CancellationToken, Task<RowChunk>> readBuildChunk, BlockRunContext context, CancellationToken cancellationToken)
    {
        var keys = input.Rows.Select(r => KeyOf(r, leftKey)).ToList();
        var present = keys.Where(k => k is not null).Select(k => k!).ToList();
        var found = await Keys(context).LookupAllAsync(KeyScopes.Block(context.RunId, context.BlockId), present, cancellationToken);
        var chunks = new Dictionary<int, RowChunk>();
        var f = 0;
        for (var i = 0; i < input.Count; i++)
        {
            var row = input.Rows[i];
            var matches = keys[i] is null ? [] : found[f++];
            if (matches.Length == 0)
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

            if (matches.Length > 1 << MatchBits)
            {
                output.Fail(row, $"join: {matches.Length} rows of the second input have {rightKey} = '{row.GetText(leftKey)}'; at most {1 << MatchBits} matches per row are joined");
                continue;
            }

            for (var m = 0; m < matches.Length; m++)
            {
                var chunk = (int)(matches[m] >> PositionBits);
                if (!chunks.TryGetValue(chunk, out var build))
                {
                    build = await readBuildChunk(chunk, cancellationToken);
                    chunks[chunk] = build;
                }

                var joined = Renumbered(row, m);
                foreach (var (column, value) in build.Rows[(int)(matches[m] & ((1 << PositionBits) - 1))])
                {
                    joined.TryAdd(column, value is System.Text.Json.Nodes.JsonNode node ? node.DeepClone() : value);
                }

                output.Emit(joined);
            }
        }
    }

    /// <summary>A copy of a left row numbered (left row, match), so matches stay together in the left input's order.</summary>
    private static Row Renumbered(Row row, int match) => row.CopyAs((row.Index << MatchBits) | (long)match, extraColumns: 8);

    private static byte[]? KeyOf(Row row, string column) => RowKeys.OfValue(row.GetText(column));

    private static IKeyIndexStore Keys(BlockRunContext context) => BlockServices.KeyIndex(context);
}

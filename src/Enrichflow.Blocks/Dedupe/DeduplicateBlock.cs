using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;
using Enrichflow.Core.Storage;

namespace Enrichflow.Blocks.Dedupe;

/// <summary>The compiled <c>deduplicate</c> block (see <see cref="DeduplicateBlockType"/>).</summary>
internal sealed class DeduplicateBlock(IReadOnlyList<string>? keyFields, bool normalize, KeyKeep keep) : TwoPhaseBlock
{
    private readonly RowKeys _keys = new(keyFields, normalize);

    public override IReadOnlyList<string> ReadsColumns => keyFields ?? [];

    public override async ValueTask ObserveAsync(RowChunk input, BlockRunContext context, CancellationToken cancellationToken)
    {
        var entries = new List<KeyEntry>(input.Count);
        foreach (var row in input.Rows)
        {
            if (_keys.KeyOf(row, out _) is { } key)
            {
                entries.Add(new KeyEntry(key, row.Index));
            }
        }

        await Keys(context).RecordAsync(KeyScopes.Block(context.RunId, context.BlockId), entries, keep, cancellationToken);
    }

    public override async ValueTask ProcessAsync(RowChunk input, ChunkOutput output, BlockRunContext context, CancellationToken cancellationToken)
    {
        var keys = new List<byte[]>(input.Count);
        var texts = new string?[input.Count];
        var missing = new string?[input.Count];
        for (var i = 0; i < input.Count; i++)
        {
            var key = _keys.KeyOf(input.Rows[i], out var text);
            if (key is null)
            {
                missing[i] = text;
                continue;
            }

            keys.Add(key);
            texts[i] = text;
        }

        var kept = await Keys(context).LookupAsync(KeyScopes.Block(context.RunId, context.BlockId), keys, cancellationToken);
        var k = 0;
        for (var i = 0; i < input.Count; i++)
        {
            var row = input.Rows[i];
            if (missing[i] is { } column)
            {
                output.Reject(row, $"deduplicate: key column '{column}' is missing");
                continue;
            }

            var winner = kept[k++];
            if (winner == row.Index || winner < 0)
            {
                output.Emit(row);
            }
            else
            {
                output.Rejects.Add(new RejectedRow(row.Index, $"deduplicate: duplicate of row {winner}", row)
                {
                    Details = new Dictionary<string, object?> { ["key"] = texts[i], ["kept_row_index"] = winner },
                });
            }
        }
    }

    private static IKeyIndexStore Keys(BlockRunContext context) => BlockServices.KeyIndex(context);
}

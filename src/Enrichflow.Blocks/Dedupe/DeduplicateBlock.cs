using Enrichflow.Blocks.Spill;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;
using Enrichflow.Core.Storage;

namespace Enrichflow.Blocks.Dedupe;

/// <summary>
/// The compiled <c>deduplicate</c> block (see <see cref="DeduplicateBlockType"/>). First pass, per chunk: the chunk's
/// keys are spilled as one blob, hash-partitioned; second pass, per chunk: the partitions are reduced once (by
/// whichever unit gets there first) to the rows that lose to their key's kept row, and the chunk reads its slice of
/// each (<see cref="KeySpill"/>).
/// </summary>
internal sealed class DeduplicateBlock(IReadOnlyList<string>? keyFields, bool normalize, KeyKeep keep) : TwoPhaseBlock
{
    private readonly RowKeys _keys = new(keyFields, normalize);

    public override IReadOnlyList<string> ReadsColumns => keyFields ?? [];

    public override async ValueTask ObserveAsync(RowChunk input, BlockRunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        await Spill(context).WriteChunkAsync(input.Index, ChunkKeys.Of(input, row => _keys.TextOf(row, out _)), cancellationToken);
    }

    public override async ValueTask ProcessAsync(RowChunk input, ChunkOutput output, BlockRunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var kept = await Spill(context).KeptRowsAsync(input, cancellationToken);
        for (var i = 0; i < input.Count; i++)
        {
            var row = input.Rows[i];
            if (_keys.MissingColumn(row) is { } column)
            {
                output.Reject(row, $"deduplicate: key column '{column}' is missing");
            }
            else if (kept[i] >= 0)
            {
                var winner = kept[i];
                output.Rejects.Add(new RejectedRow(row.Index, $"deduplicate: duplicate of row {winner}", row)
                {
                    Details = new Dictionary<string, object?> { ["key"] = _keys.TextOf(row, out _), ["kept_row_index"] = winner },
                });
            }
            else
            {
                output.Emit(row);
            }
        }
    }

    /// <summary>Forgets the spilled keys once the run can no longer continue (a failed run keeps them for <c>resume</c>).</summary>
    public override async ValueTask OnRunEndedAsync(BlockRunEndContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        await KeySpill.ForgetAsync(context, cancellationToken);
    }

    private KeySpill Spill(BlockRunContext context) => KeySpill.For(context, keep);
}

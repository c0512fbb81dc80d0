using System.Security.Cryptography;
using System.Text;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;
using Enrichflow.Core.Storage;

namespace Enrichflow.Blocks.Dedupe;

/// <summary>The compiled <c>deduplicate</c> block (see <see cref="DeduplicateBlockType"/>).</summary>
internal sealed class DeduplicateBlock(IReadOnlyList<string>? keyFields, bool normalize, KeyKeep keep) : TwoPhaseBlock
{
    private const char Separator = '\u001f';

    public override IReadOnlyList<string> ReadsColumns => keyFields ?? [];

    public override async ValueTask ObserveAsync(RowChunk input, BlockRunContext context, CancellationToken cancellationToken)
    {
        var entries = new List<KeyEntry>(input.Count);
        foreach (var row in input.Rows)
        {
            if (KeyOf(row, out _) is { } key)
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
            var key = KeyOf(input.Rows[i], out var text);
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

    /// <summary>The row's key as a 16-byte hash (and its text); null when a key column is missing (then <paramref name="text"/> names it).</summary>
    private byte[]? KeyOf(Row row, out string? text)
    {
        var builder = new StringBuilder();
        if (keyFields is null)
        {
            foreach (var column in row.Keys.Order(StringComparer.Ordinal))
            {
                Append(builder, column, row[column]);
            }
        }
        else
        {
            foreach (var column in keyFields)
            {
                if (!row.TryGetValue(column, out var value))
                {
                    text = column;
                    return null;
                }

                Append(builder, keyFields.Count > 1 ? column : null, value);
            }
        }

        text = builder.ToString();
        return SHA256.HashData(Encoding.UTF8.GetBytes(text))[..16];
    }

    private void Append(StringBuilder builder, string? column, object? value)
    {
        if (builder.Length > 0)
        {
            builder.Append(Separator);
        }

        if (column is not null)
        {
            builder.Append(column).Append('=');
        }

        var text = RowValues.ToText(value) ?? "";
        builder.Append(normalize ? text.Trim().ToLowerInvariant() : text);
    }

    private static IKeyIndexStore Keys(BlockRunContext context) =>
        context.Services.GetService(typeof(IKeyIndexStore)) as IKeyIndexStore
        ?? throw new InvalidOperationException("deduplicate needs a key index store, and none is configured.");
}

using System.Runtime.CompilerServices;
using System.Text.Json;
using Enrichflow.Core.Blocks;

namespace Enrichflow.Blocks.Sources;

/// <summary>The compiled <c>webhook</c> source: streams <c>webhook_payload</c> into rows.</summary>
internal sealed class WebhookBlock(WebhookSpecs specs, DataframeType? declaredType, int maxRecordBytes) : SourceBlock
{
    private readonly string[] _required = SourceSpecs.RequiredColumns(specs.InputSchema);

    public override DataframeType? DeclaredType => declaredType;

    private readonly string[]? _declared = specs.InputSchema is { } schema ? [.. schema.Keys] : null;

    private readonly string[]? _sample = ColumnsOf(specs.WebhookInput);

    public override IReadOnlyList<string>? DeclaredColumns => _declared;

    public override IReadOnlyList<string>? SampleColumns => _sample;

    public override SourceInputKind InputKind => SourceInputKind.WebhookPayload;

    public override Task<PayloadScan> ScanPayloadAsync(Stream body, CancellationToken cancellationToken) =>
        WebhookPayloadReader.ScanAsync(body, maxRecordBytes, cancellationToken);

    /// <summary>
    /// A strict source refuses the request when a row lacks a required <c>input_schema</c> column (docs/api.md §5); the
    /// payload is streamed once more, only when the source is strict and declares required columns.
    /// </summary>
    public override async ValueTask<string?> CheckPayloadAsync(SourceInput payload, string blockId, CancellationToken cancellationToken)
    {
        if (!specs.Strict || _required.Length == 0)
        {
            return null;
        }

        await using var stream = await payload.OpenAsync(cancellationToken);
        await foreach (var element in WebhookPayloadReader.ReadAsync(stream, maxRecordBytes, cancellationToken))
        {
            if (element.Row is { } row && SourceSpecs.MissingColumn(row, _required) is { } missing)
            {
                return $"webhook_payload[{element.Index}] is missing required column '{missing}' (webhook block '{blockId}' is strict; its input_schema marks '{missing}' required).";
            }
        }

        return null;
    }

    public override async IAsyncEnumerable<SourceRecord> ReadAsync(
        SourceInput input, BlockRunContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var body = await input.OpenAsync(cancellationToken);
        await using (body)
        {
            var elements = WebhookPayloadReader.ReadAsync(body, maxRecordBytes, cancellationToken);
            await using var enumerator = elements.GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                PayloadElement element;
                try
                {
                    if (!await enumerator.MoveNextAsync())
                    {
                        yield break;
                    }

                    element = enumerator.Current;
                }
                catch (PayloadFormatException e)
                {
                    throw new SourceFormatException(e.Message, e.Line) { TooLarge = e.TooLarge };
                }

                yield return ToRecord(element);
            }
        }
    }

    private SourceRecord ToRecord(PayloadElement element)
    {
        if (element.Row is not { } row)
        {
            return SourceRecord.Rejected(new RejectedRow(element.Index, element.Problem ?? "not an object", null));
        }

        if (SourceSpecs.MissingRequired(row, _required) is { } reason)
        {
            return specs.Strict
                ? throw new SourceFormatException($"webhook_payload element {element.Index}: {reason}.")
                : SourceRecord.Rejected(new RejectedRow(element.Index, reason, row));
        }

        return SourceRecord.Of(row);
    }

    /// <summary>The keys of a <c>webhook_input</c> sample (an object or a list of objects) in first-seen order; null without one.</summary>
    private static string[]? ColumnsOf(JsonElement? sample)
    {
        var rows = sample switch
        {
            { ValueKind: JsonValueKind.Object } one => new List<JsonElement> { one },
            { ValueKind: JsonValueKind.Array } list => list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object).ToList(),
            _ => [],
        };
        return rows.Count == 0 ? null : [.. rows.SelectMany(r => r.EnumerateObject().Select(p => p.Name)).Distinct(StringComparer.Ordinal)];
    }
}

using System.Text.Json;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;

namespace Enrichflow.Blocks.Webhooks;

/// <summary>
/// <c>outgoing_webhook</c>: passes its rows on unchanged and, when the run ends, sends one signed event to
/// <c>url</c> (docs/api.md §5, §6). The event is recorded and sent by the server's run-end listener and delivery sender,
/// not by the block: the block only checks and carries the specs.
/// </summary>
public sealed class OutgoingWebhookBlockType : BlockType<OutgoingWebhookSpecs>
{
    public const string BlockName = "outgoing_webhook";

    /// <summary>The most rows an event carries inline.</summary>
    public const int MaxInlineRows = 100;

    public override string Name => BlockName;

    public override string SpecsExample => """
        {"url": "https://hooks.example.com/enrichflow", "include_rows": 20, "event_types": ["run.completed", "run.failed"]}
        """;

    public override bool SendsRunEndNotices => true;

    public override string Description =>
        "Passes rows on unchanged; when the run ends (run.completed, run.failed or run.cancelled, filtered by event_types) "
        + "POSTs one signed event to url with the run's status, row count, result files with signed download links and, "
        + "with include_rows, up to 100 rows of this block's output. Retries for 24 hours with the same event id.";

    protected override CompiledBlock? Compile(OutgoingWebhookSpecs specs, BlockCompileContext context)
    {
        var blockId = context.Definition.BlockId;
        if (!Uri.TryCreate(specs.Url, UriKind.Absolute, out var url)
            || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(url.Host))
        {
            // On Unix a path such as "/hook" parses as a file URL; it was not written as one.
            var written = url is not null && (!url.IsFile || specs.Url.StartsWith("file:", StringComparison.OrdinalIgnoreCase));
            var got = written ? $"scheme '{url!.Scheme}'" : "not an absolute URL";
            context.AddError("url", $"url of block '{blockId}' must be an absolute http or https URL ({got}).");
            url = null;
        }

        var includeRows = IncludeRows(specs.IncludeRows, blockId, context);
        var eventTypes = EventTypes(specs.EventTypes, blockId, context);
        return url is null || includeRows is null || eventTypes is null ? null : new OutgoingWebhookBlock(new RunEndNotice(url, includeRows.Value, eventTypes));
    }

    private static int? IncludeRows(JsonElement? value, string blockId, BlockCompileContext context)
    {
        switch (value)
        {
            case null or { ValueKind: JsonValueKind.Null or JsonValueKind.False }:
                return 0;
            case { ValueKind: JsonValueKind.True }:
                return MaxInlineRows;
            case { ValueKind: JsonValueKind.Number } number when number.TryGetInt32(out var count) && count is >= 0 and <= MaxInlineRows:
                return count;
            default:
                context.AddError("include_rows", $"include_rows of block '{blockId}' must be true, false or a whole number from 0 to {MaxInlineRows}.");
                return null;
        }
    }

    private static IReadOnlyList<string>? EventTypes(IReadOnlyList<string>? types, string blockId, BlockCompileContext context)
    {
        if (types is null)
        {
            return WebhookEvents.All;
        }

        if (types.Count == 0)
        {
            context.AddError("event_types", $"event_types of block '{blockId}' must list at least one of {string.Join(", ", WebhookEvents.All)} (or be left out for all).");
            return null;
        }

        var ok = true;
        for (var i = 0; i < types.Count; i++)
        {
            if (!WebhookEvents.All.Contains(types[i], StringComparer.Ordinal))
            {
                context.AddError(["event_types", i], $"event_types[{i}] of block '{blockId}' is '{types[i]}'; use {string.Join(", ", WebhookEvents.All)}.");
                ok = false;
            }
        }

        return ok ? [.. types.Distinct(StringComparer.Ordinal)] : null;
    }
}

/// <summary>The compiled <c>outgoing_webhook</c>: a pass-through over the rows that asks the host for its event at the run's end.</summary>
internal sealed class OutgoingWebhookBlock(RunEndNotice notice) : RowBlock
{
    public override RunEndNotice RunEndNotice => notice;

    public override ValueTask ProcessAsync(RowChunk input, ChunkOutput output, BlockRunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var row in input.Rows)
        {
            output.Emit(row);
        }

        return ValueTask.CompletedTask;
    }
}

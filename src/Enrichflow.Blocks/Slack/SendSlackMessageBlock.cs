using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;
using Enrichflow.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Enrichflow.Blocks.Slack;

/// <summary>
/// The compiled <c>send_slack_message</c> block (see <see cref="SendSlackMessageBlockType"/>). Per row: each row's
/// message is sent in row order unless the ledger says it was sent before (a unit that runs again after a crash
/// skips it), and recorded as soon as Slack took it. Summary: each chunk keeps its first <c>max_rows</c> rows in the
/// blob store; when the run ends the summary is claimed with a marker blob first, then built and sent, so no crash
/// or second end call ever sends it twice.
/// </summary>
internal sealed class SendSlackMessageBlock(string webhook, SlackTemplate? template, bool perRow, int maxRows) : RowBlock
{
    /// <summary>Slack's limit on the text of one section block.</summary>
    private const int MaxSectionText = 3000;

    public override IReadOnlyList<string> ReadsColumns => perRow && template is not null ? [.. template.Columns] : [];

    public override async ValueTask ProcessAsync(RowChunk input, ChunkOutput output, BlockRunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(context);
        if (input.Count == 0)
        {
            return;
        }

        if (!perRow)
        {
            if (maxRows > 0)
            {
                var blobs = BlockServices.Require<IBlobStore>(context, "a blob store");
                await using var writer = await blobs.CreateAsync($"{Prefix(context.RunId, context.BlockId)}rows/{input.Index:D7}.efc", cancellationToken);
                await ChunkFormat.WriteAsync(writer.Stream, new RowChunk(input.Index, [.. input.Rows.Take(maxRows)]), cancellationToken);
                await writer.CommitAsync(cancellationToken);
            }

            input.Rows.ForEach(output.Emit);
            return;
        }

        if (context.WaitsOnRemoteCalls is { } waits)
        {
            await waits(cancellationToken);
        }

        var ledger = BlockServices.Require<IExportLedger>(context, "a ledger of sent messages");
        var sent = await ledger.GetAcknowledgedAsync(context.RunId, context.BlockId, input.Rows.Min(r => r.Index), input.Rows.Max(r => r.Index), cancellationToken);
        var sender = new SlackSender(context.Services, context.Time);
        foreach (var row in input.Rows)
        {
            if (!sent.Contains(row.Index))
            {
                var text = template?.Render(c => Escape(row.GetText(c)), f => RowRunField(f, context)) ?? Describe(row);
                if (await sender.SendAsync(webhook, Message(text, []), context.BlockId, cancellationToken) is { } failure)
                {
                    output.Fail(row, $"send_slack_message: {failure}");
                    context.ReportRowsDone?.Invoke(1);
                    continue;
                }

                await ledger.RecordAcknowledgedAsync(new ExportAcknowledgement(context.RunId, context.BlockId, row.Index, 1, 200, context.Time.GetUtcNow()), cancellationToken);
            }

            output.Emit(row);
            context.ReportRowsDone?.Invoke(1);
        }
    }

    /// <summary>Sends the summary of a run once, at its first end; for per-row messages, forgets which were sent.</summary>
    public override async ValueTask OnRunEndedAsync(BlockRunEndContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (perRow)
        {
            // As export does: once the run cannot continue, nothing reads which messages were sent.
            if (context.Run.Status is RunStatus.Completed or RunStatus.Cancelled && context.Services.GetService<IExportLedger>() is { } ledger)
            {
                await ledger.DeleteExportBatchesAsync(context.Run.Id, cancellationToken);
            }

            return;
        }

        if (context.Services.GetService<IBlobStore>() is not { } blobs)
        {
            return;
        }

        var prefix = Prefix(context.Run.Id, context.BlockId);
        var pacer = context.Services.GetRequiredService<SlackPacer>();
        await pacer.Summaries.WaitAsync(cancellationToken);
        try
        {
            var claim = $"{prefix}summary.claimed";
            if (await blobs.GetSizeAsync(claim, cancellationToken) is not null)
            {
                return;
            }

            // Claimed before it is sent: a crash from here on loses the summary rather than sending it twice.
            await using (var writer = await blobs.CreateAsync(claim, cancellationToken))
            {
                await writer.CommitAsync(cancellationToken);
            }

            var blocks = await context.Services.GetRequiredService<IRunStore>().GetRunBlocksAsync(context.Run.Id, cancellationToken);
            var fields = RunFields(context.Run, context.BlockId, blocks);
            var text = template!.Render(_ => "", f => fields.GetValueOrDefault(f));
            var rows = await SummaryRowsAsync(blobs, prefix, cancellationToken);
            var total = blocks.FirstOrDefault(b => b.BlockId == context.BlockId)?.RowsIn ?? rows.Count;
            var time = context.Services.GetService<TimeProvider>() ?? TimeProvider.System;
            await new SlackSender(context.Services, time).SendAsync(webhook, Message(text, rows, total), context.BlockId, cancellationToken);
            await blobs.DeletePrefixAsync($"{prefix}rows/", cancellationToken);
        }
        finally
        {
            pacer.Summaries.Release();
        }
    }

    internal static string Prefix(Guid runId, string blockId) => $"runs/{runId:N}/blocks/{blockId}/slack/";

    private async Task<List<Row>> SummaryRowsAsync(IBlobStore blobs, string prefix, CancellationToken cancellationToken)
    {
        var rows = new List<Row>();
        await foreach (var key in blobs.ListAsync($"{prefix}rows/", cancellationToken))
        {
            if (rows.Count >= maxRows)
            {
                break;
            }

            await using var stream = await blobs.OpenReadAsync(key, cancellationToken);
            rows.AddRange((await ChunkFormat.ReadAsync(stream, cancellationToken)).Rows.Take(maxRows - rows.Count));
        }

        return rows;
    }

    private static Dictionary<string, string?> RunFields(RunRecord run, string blockId, IReadOnlyList<RunBlockRecord> blocks)
    {
        static string Number(long n) => n.ToString(CultureInfo.InvariantCulture);
        var ordered = blocks.OrderBy(b => b.Position).ToList();
        return new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["id"] = run.Id.ToString(),
            ["status"] = run.Status.ToString().ToLowerInvariant(),
            ["workflow_id"] = run.WorkflowId,
            ["workflow_name"] = Escape(run.WorkflowName),
            ["rows_in"] = Number(ordered.FirstOrDefault()?.RowsOut ?? 0),
            ["rows_out"] = Number(ordered.LastOrDefault()?.RowsOut ?? 0),
            ["rows_failed"] = Number(blocks.Sum(b => b.RowsFailed)),
            ["rows_rejected"] = Number(blocks.Sum(b => b.RowsRejected)),
            ["block_rows"] = Number(blocks.FirstOrDefault(b => b.BlockId == blockId)?.RowsIn ?? 0),
            ["error"] = Escape(run.ErrorMessage ?? ""),
            ["duration_seconds"] = run is { StartedAt: { } started, CompletedAt: { } completed }
                ? (completed - started).TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)
                : "",
        };
    }

    private static string? RowRunField(string field, BlockRunContext context) => field switch
    {
        "id" => context.RunId.ToString(),
        "workflow_id" => context.WorkflowId,
        _ => "",
    };

    /// <summary><c>{"text", "blocks"}</c>: the text as a section, then one section per listed row and a note of the rows not listed.</summary>
    private static JsonObject Message(string text, List<Row> rows, long total = 0)
    {
        var blocks = new JsonArray { Section(text) };
        foreach (var row in rows)
        {
            blocks.Add(Section(Describe(row)));
        }

        if (total > rows.Count && rows.Count > 0)
        {
            blocks.Add(new JsonObject
            {
                ["type"] = "context",
                ["elements"] = new JsonArray { new JsonObject { ["type"] = "mrkdwn", ["text"] = $"…and {total - rows.Count} more rows" } },
            });
        }

        return new JsonObject { ["text"] = text, ["blocks"] = blocks };
    }

    private static JsonObject Section(string text) => new()
    {
        ["type"] = "section",
        ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = text.Length > MaxSectionText ? text[..(MaxSectionText - 1)] + "…" : text.Length == 0 ? " " : text },
    };

    /// <summary>A row as one line: <c>*column*: value</c> pairs.</summary>
    private static string Describe(Row row)
    {
        var text = new StringBuilder();
        foreach (var (column, value) in row)
        {
            if (RowValues.ToText(value) is { Length: > 0 } shown)
            {
                text.Append(text.Length > 0 ? " · " : "").Append('*').Append(Escape(column)).Append("*: ").Append(Escape(shown));
            }
        }

        return text.ToString();
    }

    /// <summary>Slack's mrkdwn escaping of values (the template's own text may use Slack's markup on purpose).</summary>
    private static string Escape(string? text) =>
        (text ?? "").Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}

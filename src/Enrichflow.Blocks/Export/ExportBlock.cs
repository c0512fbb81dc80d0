using Enrichflow.Providers.Outbound;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;
using Enrichflow.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Enrichflow.Blocks.Export;

/// <summary>
/// The compiled <c>export</c> block (see <see cref="ExportBlockType"/>). Per chunk: asks the ledger which of the
/// chunk's batches were acknowledged before (a unit may run twice), sends the others in order, records each
/// acknowledgement durably, then emits the rows of delivered batches and fails the rows of the others.
/// </summary>
internal sealed partial class ExportBlock(ExportSettings settings) : RowBlock
{
    public override async ValueTask ProcessAsync(RowChunk input, ChunkOutput output, BlockRunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(context);
        if (input.Count == 0)
        {
            return;
        }

        var logger = context.Services.GetService<ILoggerFactory>()?.CreateLogger<ExportBlock>() ?? (ILogger)NullLogger.Instance;
        var check = await context.Services.GetRequiredService<OutboundGuard>().CheckAsync(settings.Url, cancellationToken);
        if (!check.IsAllowed && !check.IsTransient)
        {
            // Refused by policy: no batch can go, and retrying cannot help until the configuration changes.
            ExportLog.Refused(logger, context.RunId, context.BlockId, check.Message!);
            FailAll(input.Rows, output, $"export: {check.Message}");
            return;
        }

        var ledger = BlockServices.Require<IExportLedger>(context, "an export ledger");
        var batches = ExportBatches.Of(input.Index, input.Count, settings.BatchSize);
        var acknowledged = await ledger.GetAcknowledgedAsync(context.RunId, context.BlockId, batches[0].Number, batches[^1].Number, cancellationToken);
        using var sender = new ExportSender(settings, context, logger);
        string? refusal = null;
        foreach (var batch in batches)
        {
            var rows = input.Rows.GetRange(batch.Start, batch.Count);
            if (acknowledged.Contains(batch.Number))
            {
                ExportLog.Skipped(logger, context.RunId, context.BlockId, batch.Number);
                rows.ForEach(output.Emit);
                continue;
            }

            var result = refusal is null
                ? await sender.DeliverAsync(batch.Number, rows, cancellationToken)
                : new DeliveryAttempt(DeliveryOutcome.Refused, 0, refusal);
            switch (result.Outcome)
            {
                case DeliveryOutcome.Acknowledged:
                    await ledger.RecordAcknowledgedAsync(
                        new ExportAcknowledgement(context.RunId, context.BlockId, batch.Number, batch.Count, result.Status, context.Time.GetUtcNow()),
                        cancellationToken);
                    rows.ForEach(output.Emit);
                    break;
                case DeliveryOutcome.Refused:
                    refusal = result.Reason;
                    FailAll(rows, output, $"export: {result.Reason}");
                    break;
                default:
                    FailAll(rows, output, $"export: batch {batch.Number} failed: {result.Reason}");
                    break;
            }
        }
    }

    private static void FailAll(List<Row> rows, ChunkOutput output, string reason)
    {
        foreach (var row in rows)
        {
            output.Fail(row, reason);
        }
    }
}

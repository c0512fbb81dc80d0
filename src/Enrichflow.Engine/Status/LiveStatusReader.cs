using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.Execution;

namespace Enrichflow.Engine.Status;

/// <summary>
/// Builds <see cref="RunLiveStatus"/> from the store's committed counters; any node gives the same answer. The one
/// place live status is made: every route that answers a <c>LiveStatus</c> (a run's, an interactive session's) calls
/// <see cref="ReadAsync"/> with the run.
/// </summary>
public sealed class LiveStatusReader(
    IRunStore store,
    RunPlans plans,
    TimeProvider time,
    ChunkProgress inFlight,
    ProgressFloor floor,
    IEnumerable<IWebhookDeliveryStore> deliveryStores,
    IEnumerable<IUsageStore> usageStores)
{
    public async Task<RunLiveStatus> ReadAsync(RunRecord run, CancellationToken cancellationToken)
    {
        var (plan, options) = plans.Get(run);
        var records = (await store.GetRunBlocksAsync(run.Id, cancellationToken)).ToDictionary(b => b.BlockId, StringComparer.Ordinal);
        var chunkSize = Math.Max(1, options.ChunkSize);
        var estimatedChunks = run.SourceChunkCount
            ?? (options.EstimatedRows is long rows ? (int)Math.Max(1, (rows + chunkSize - 1) / chunkSize) : (int?)null);

        var usage = (usageStores.FirstOrDefault() is { } usageStore ? await usageStore.GetRunUsageAsync(run.Id, cancellationToken) : [])
            .ToLookup(u => u.BlockId ?? "", StringComparer.Ordinal);
        var blocks = new List<BlockLiveStatus>(plan.Blocks.Count);
        var kinds = new Dictionary<string, DataframeType?>(StringComparer.Ordinal);
        double progressSum = 0;
        foreach (var block in plan.Blocks)
        {
            var kind = KindYielded(block, kinds);
            var record = records[block.Id];
            var parent = block.Inputs.Count > 0 ? records[block.Inputs[0].FromBlockId] : null;
            var completed = record.Status == BlockStatus.Completed;
            var chunksKnown = run.SourceChunkCount is not null;
            // Rows finished by units still under way in this process (an enrichment chunk takes minutes).
            var partial = completed || block.IsSource ? 0 : inFlight.InFlight(run.Id, block.Id);
            var fraction = completed ? 1.0
                : estimatedChunks is int chunks && chunks > 0
                    ? Math.Min(0.99, (record.ChunksDone + Math.Min(partial / (double)chunkSize, chunks)) / ChunkCounts.Total(plan, block, chunks))
                    : 0.0;
            progressSum += fraction;

            long? known = block.IsSource
                ? (chunksKnown ? record.RowsIn : null)
                : parent is { Status: BlockStatus.Completed } ? parent.RowsOut : null;
            long? estimated = known ?? (block.IsSource ? options.EstimatedRows : null);
            var processed = known is long all ? Math.Min(all, record.RowsIn + partial) : record.RowsIn + partial;
            var total = known ?? 0;
            blocks.Add(new BlockLiveStatus(
                block.Id,
                NameOf(block),
                block.Definition.SequenceNumber,
                [.. block.Inputs.Select(e => e.FromBlockId)],
                record.Status.ToWire(),
                record.StartedAt,
                record.CompletedAt,
                (int)Math.Floor(fraction * 100),
                CurrentStep(record, block.IsSource),
                processed,
                total,
                estimated,
                record.UpdatedAt ?? run.UpdatedAt,
                record.ErrorMessage,
                Metrics(record, kind, processed, total, usage[block.Id].ToList())));
        }

        var percent = run.Status == RunStatus.Completed ? 100 : (int)Math.Min(99, Math.Floor(progressSum / plan.Blocks.Count * 100));
        if (run.Status == RunStatus.Completed)
        {
            floor.Forget(run.Id);
        }
        else
        {
            percent = Math.Min(99, floor.Apply(run, percent));
        }

        var current = blocks.FirstOrDefault(b => b.Status is "running" or "failed") ?? blocks.FirstOrDefault(b => b.Status == "pending");
        return new RunLiveStatus(
            run.Id,
            run.WorkflowId,
            run.Status.ToWire(),
            percent,
            current?.BlockName,
            current?.SequenceNumber,
            blocks.Count,
            blocks.Count(b => b.Status == "completed"),
            run.StartedAt,
            run.CompletedAt,
            time.GetUtcNow(),
            run.SourceChunkCount is null && options.EstimatedRows is null ? NameOf(plan.Source) : null,
            run.StatusReason,
            run.ErrorMessage,
            blocks,
            await ReadDeliveriesAsync(run.Id, cancellationToken));
    }

    /// <summary>The run's outgoing webhook deliveries with their attempts; null when no delivery store is registered.</summary>
    private async Task<IReadOnlyList<WebhookDeliveryLiveStatus>?> ReadDeliveriesAsync(Guid runId, CancellationToken cancellationToken)
    {
        if (deliveryStores.FirstOrDefault() is not { } deliveries)
        {
            return null;
        }

        var records = await deliveries.ListRunDeliveriesAsync(runId, cancellationToken);
        if (records.Count == 0)
        {
            return [];
        }

        var attempts = (await deliveries.ListRunAttemptsAsync(runId, cancellationToken)).ToLookup(a => a.EventId, StringComparer.Ordinal);
        return [.. records.Select(d => new WebhookDeliveryLiveStatus(
            d.EventId,
            d.EventType,
            d.BlockId,
            Uri.TryCreate(d.Url, UriKind.Absolute, out var url) ? url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped) : d.Url,
            d.Status.ToWire(),
            d.AttemptCount,
            d.Status == WebhookDeliveryStatus.Pending ? d.NextAttemptAt : null,
            d.CompletedAt,
            d.LastError,
            [.. attempts[d.EventId].Select(a => new WebhookAttemptLiveStatus(a.Attempt, a.StartedAt, (long)a.Duration.TotalMilliseconds, a.StatusCode, a.Error))]))];
    }

    private static BlockMetrics Metrics(RunBlockRecord record, DataframeType? kind, long processed, long total, List<UsageTotals> usage) => new(
        record.RowsOut,
        (kind is null or DataframeType.Any ? DataframeType.Lead : kind.Value).ToString().ToUpperInvariant(),
        processed,
        total,
        record.RowsRejected,
        record.RowsFailed,
        Math.Round(usage.Sum(u => u.Credits), 4),
        usage.Sum(u => u.CacheHits),
        usage.Sum(u => u.Calls),
        usage.Count == 0 ? null : [.. usage.Select(ProviderStepMetrics.From)]);

    /// <summary>The block's name as the definition wrote it (<c>company_enrichment</c> stays <c>company_enrichment</c>).</summary>
    private static string NameOf(PlannedBlock block) =>
        string.IsNullOrEmpty(block.Definition.BlockName) ? block.Type.Name : block.Definition.BlockName;

    /// <summary>
    /// The kind of rows the block yields, as the validator follows it down the graph (docs/api.md §2.1): its own,
    /// else the kind it takes, else what flows in; null while no block fixes it. Recorded in <paramref name="kinds"/>.
    /// </summary>
    private static DataframeType? KindYielded(PlannedBlock block, Dictionary<string, DataframeType?> kinds)
    {
        var incoming = block.IsSource
            ? (block.Compiled as SourceBlock)?.DeclaredType
            : block.Inputs.Select(e => kinds.GetValueOrDefault(e.FromBlockId)).FirstOrDefault(k => k is not null);
        var kind = block.Type.Yields ?? (block.Type.Takes != DataframeType.Any ? block.Type.Takes : incoming);
        kinds[block.Id] = kind;
        return kind;
    }

    private static string CurrentStep(RunBlockRecord record, bool isSource) => record.Status switch
    {
        BlockStatus.Pending => "waiting",
        BlockStatus.Running when isSource => "reading input",
        BlockStatus.Running => "processing",
        BlockStatus.Completed => "done",
        BlockStatus.Failed => "failed",
        _ => "cancelled",
    };
}

using Enrichflow.Engine.Status;

namespace Enrichflow.Cli.Run;

/// <summary>One block's row of the display and of a JSON progress line, from the run's live status.</summary>
/// <param name="RowsIn">Rows the block has taken in (processed) so far.</param>
/// <param name="RowsTotal">Rows the block will take: known, or estimated while its input is still coming (null when neither).</param>
/// <param name="RowsPerSecond">Rows in per second since the block started.</param>
/// <param name="EtaSeconds">Seconds until the block has taken every row at that pace; null when unknown.</param>
internal sealed record BlockProgress(
    string BlockId,
    string BlockName,
    int SequenceNumber,
    string Status,
    long RowsIn,
    long? RowsTotal,
    long RowsOut,
    long RowsRejected,
    long RowsFailed,
    double CreditsUsed,
    long ProviderCalls,
    long CacheHits,
    double RowsPerSecond,
    double? EtaSeconds);

/// <summary>A run's progress at one moment: the live status the API serves (docs/api.md §3), with rates added.</summary>
internal sealed record RunProgress(Guid RunId, string Status, int ProgressPercentage, double ElapsedSeconds, string? StatusReason, string? ErrorMessage, IReadOnlyList<BlockProgress> Blocks)
{
    public long RowsIn => Blocks.Count > 0 ? Blocks[0].RowsIn : 0;

    public double CreditsUsed => Blocks.Sum(b => b.CreditsUsed);

    public static RunProgress From(RunLiveStatus live, DateTimeOffset startedAt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(live);
        var blocks = live.Blocks.OrderBy(b => b.SequenceNumber).Select(b => Block(b, now)).ToList();
        return new RunProgress(live.RunId, live.OverallStatus, live.OverallProgressPercentage, Math.Max(0, (now - startedAt).TotalSeconds), live.StatusReason, live.ErrorMessage, blocks);
    }

    private static BlockProgress Block(BlockLiveStatus block, DateTimeOffset now)
    {
        long? total = block.TotalCount > 0 ? block.TotalCount : block.EstimatedTotalCount;
        var end = block.CompletedAt ?? now;
        var seconds = block.StartedAt is { } started ? (end - started).TotalSeconds : 0;
        var rate = seconds > 0.05 ? block.ProcessedCount / seconds : 0;
        double? eta = block.Status is "completed" ? 0
            : total is { } t && rate > 0 && block.Status == "running" ? Math.Max(0, (t - block.ProcessedCount) / rate)
            : null;
        return new BlockProgress(block.BlockId, block.BlockName, block.SequenceNumber, block.Status, block.ProcessedCount, total,
            block.Metrics.RowCount, block.Metrics.RowsRejected, block.Metrics.RowsFailed, block.Metrics.CreditsUsed, block.Metrics.ProviderCalls,
            block.Metrics.CacheHits, Math.Round(rate, 1), eta is { } e ? Math.Round(e, 1) : null);
    }
}

using Enrichflow.Client;
using Enrichflow.Client.Models;
using Spectre.Console;

namespace Enrichflow.Cli.Remote;

/// <summary>
/// Follows a run until it ends: Spectre.Console progress bars per block (rows processed of total, rejects, credits), then a
/// summary table; with <c>--json</c> one live status per line (NDJSON). Exit 0 when it completed, 4 when it failed or was
/// cancelled. Stopping the watch (Ctrl+C) leaves the run going.
/// </summary>
internal static class RunWatch
{
    public static async Task<int> WatchAsync(RemoteContext context, string runId, CancellationToken cancellationToken)
    {
        try
        {
            return await FollowAsync(context, runId, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"enrichflow: stopped watching run {runId}; it goes on (enrichflow runs cancel {runId} stops it).");
            return RemoteCommand.Interrupted;
        }
    }

    private static async Task<int> FollowAsync(RemoteContext context, string runId, CancellationToken cancellationToken)
    {
        var wait = new RunWaitOptions { CancelRunOnCancellation = false, ThrowOnFailure = false };
        LiveStatus final;
        if (context.Json)
        {
            final = await context.Client.WaitForRunAsync(runId, wait with { Progress = new Reporter(s => RemoteOutput.WriteJsonLine(s, EnrichflowJsonContext.Default.LiveStatus)) }, cancellationToken);
        }
        else
        {
            final = await context.Console.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .StartAsync(async progress =>
                {
                    var tasks = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                    return await context.Client.WaitForRunAsync(runId, wait with { Progress = new Reporter(status => Update(progress, tasks, status)) }, cancellationToken);
                });
            WriteSummary(context.Console, final);
        }

        return final.OverallStatus == RunStatuses.Completed ? RemoteCommand.Ok : await EndedAsync(final);
    }

    private static void Update(ProgressContext progress, Dictionary<string, ProgressTask> tasks, LiveStatus status)
    {
        foreach (var block in (status.Blocks ?? []).OrderBy(b => b.SequenceNumber))
        {
            var key = block.BlockId ?? block.SequenceNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!tasks.TryGetValue(key, out var task))
            {
                task = progress.AddTask(key, maxValue: 100);
                tasks[key] = task;
            }

            long? total = block.TotalCount > 0 ? block.TotalCount : block.EstimatedTotalCount;
            var rejected = block.Metrics?.RowsRejected ?? 0;
            var credits = block.Metrics?.CreditsUsed ?? 0;
            // Short enough for an 80-column terminal beside the bar: the names are in the summary table.
            task.Description = Markup.Escape($"{key} {Compact(block.ProcessedCount)}" + (total is > 0 ? $"/{Compact(total.Value)}" : "") + " rows")
                + (rejected > 0 ? Markup.Escape($", {Compact(rejected)} rej") : "")
                + (credits > 0 ? Markup.Escape($" {RemoteOutput.Number(credits)}cr") : "");
            task.Value = Math.Min(100, block.Status == RunStatuses.Completed ? 100 : block.ProgressPercentage);
            if (block.Status is RunStatuses.Completed or RunStatuses.Failed or RunStatuses.Cancelled)
            {
                task.StopTask();
            }
        }
    }

    public static void WriteSummary(IAnsiConsole console, LiveStatus status)
    {
        var table = RemoteOutput.Table("BLOCK", "TYPE", "STATUS", "ROWS IN", "ROWS OUT", "REJECTED", "CREDITS", "CACHE HITS");
        foreach (var block in (status.Blocks ?? []).OrderBy(b => b.SequenceNumber))
        {
            var m = block.Metrics;
            RemoteOutput.Row(table, block.BlockId ?? block.SequenceNumber.ToString(System.Globalization.CultureInfo.InvariantCulture), block.BlockName, block.Status,
                RemoteOutput.Number(block.ProcessedCount), RemoteOutput.Number(m?.RowCount), RemoteOutput.Number(m?.RowsRejected),
                RemoteOutput.Number(m?.CreditsUsed), RemoteOutput.Number(m?.CacheHits));
        }

        console.Write(table);
        console.WriteLine($"Run {status.RunId} {status.OverallStatus} ({RemoteOutput.Number(status.OverallProgressPercentage)}%).");
    }

    private static async Task<int> EndedAsync(LiveStatus status)
    {
        var reason = status.ErrorMessage ?? status.StatusReason;
        await Console.Error.WriteLineAsync($"enrichflow: run {status.RunId} {status.OverallStatus}" + (reason is null ? "." : $": {reason}"));
        return RemoteCommand.RunDidNotComplete;
    }

    /// <summary>A count in at most five characters: 999, 12.3k, 300k, 1.2M.</summary>
    private static string Compact(long value) => value switch
    {
        < 1_000 => value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        < 100_000 => (value / 1_000.0).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + "k",
        < 1_000_000 => (value / 1_000).ToString(System.Globalization.CultureInfo.InvariantCulture) + "k",
        _ => (value / 1_000_000.0).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + "M",
    };

    /// <summary>Reports on the polling thread at once (<see cref="Progress{T}"/> would post to the thread pool, out of order).</summary>
    private sealed class Reporter(Action<LiveStatus> report) : IProgress<LiveStatus>
    {
        public void Report(LiveStatus value) => report(value);
    }
}

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
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
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

            var total = block.TotalCount > 0 ? block.TotalCount : block.EstimatedTotalCount ?? 0;
            var rejected = block.Metrics?.RowsRejected ?? 0;
            var credits = block.Metrics?.CreditsUsed ?? 0;
            task.Description = Markup.Escape($"{block.SequenceNumber} {key} ({block.BlockName}) {block.Status}: {RemoteOutput.Number(block.ProcessedCount)}/{RemoteOutput.Number(total)} rows")
                + (rejected > 0 ? Markup.Escape($", {RemoteOutput.Number(rejected)} rejected") : "")
                + (credits > 0 ? Markup.Escape($", {RemoteOutput.Number(credits)} credits") : "");
            task.Value = Math.Min(100, block.Status == RunStatuses.Completed ? 100 : block.ProgressPercentage);
            if (block.Status is RunStatuses.Completed or RunStatuses.Failed or RunStatuses.Cancelled)
            {
                task.StopTask();
            }
        }
    }

    public static void WriteSummary(IAnsiConsole console, LiveStatus status)
    {
        var table = RemoteOutput.Table("SEQ", "BLOCK ID", "BLOCK", "STATUS", "PROCESSED", "ROWS OUT", "REJECTED", "FAILED", "CREDITS", "CACHE HITS");
        foreach (var block in (status.Blocks ?? []).OrderBy(b => b.SequenceNumber))
        {
            var m = block.Metrics;
            RemoteOutput.Row(table, block.SequenceNumber.ToString(System.Globalization.CultureInfo.InvariantCulture), block.BlockId, block.BlockName, block.Status,
                RemoteOutput.Number(block.ProcessedCount), RemoteOutput.Number(m?.RowCount), RemoteOutput.Number(m?.RowsRejected), RemoteOutput.Number(m?.RowsFailed),
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

    /// <summary>Reports on the polling thread at once (<see cref="Progress{T}"/> would post to the thread pool, out of order).</summary>
    private sealed class Reporter(Action<LiveStatus> report) : IProgress<LiveStatus>
    {
        public void Report(LiveStatus value) => report(value);
    }
}

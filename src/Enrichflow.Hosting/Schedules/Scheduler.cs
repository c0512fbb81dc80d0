using Enrichflow.Core.Diagnostics;
using Enrichflow.Core.Storage;
using Enrichflow.Hosting.Duties;

namespace Enrichflow.Hosting.Schedules;

/// <summary>
/// Starts the runs of due schedules (docs/api.md §10). It sleeps until the earliest stored due time (or at most
/// <see cref="PollInterval"/>, for schedules other servers add), then starts one run per due schedule through
/// <see cref="ScheduledRuns.StartDueAsync"/>. Due times live in the store, so a restart misses none and repeats
/// none; a time missed while no server ran starts one catch-up run at the first tick after start. In a cluster only
/// the node holding the <see cref="DutyNames.Scheduler"/> duty ticks (docs/architecture.md §5).
/// </summary>
public sealed partial class Scheduler(IScheduleStore schedules, ScheduledRuns runs, SchedulerClock clock, DutyLeases duties, ILogger<Scheduler> logger) : BackgroundService
{
    /// <summary>The longest sleep between looks at the store.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(30);

    private const int Batch = 100;

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    private TaskCompletionSource _wake = NewSignal();

    /// <summary>A schedule was added or changed here: look at the store again now instead of at the old due time.</summary>
    public void Wake() => Volatile.Read(ref _wake).TrySetResult();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var time = clock.Time;
        var duty = duties.For(DutyNames.Scheduler);
        while (!stoppingToken.IsCancellationRequested)
        {
            // A wake from now on (a schedule added during the tick) ends the coming sleep.
            Volatile.Write(ref _wake, NewSignal());
            try
            {
                await duty.WaitUntilHeldAsync(stoppingToken);
                var failed = !await TickAsync(time.GetUtcNow(), stoppingToken);
                var now = time.GetUtcNow();
                var earliest = await schedules.GetEarliestDueTimeAsync(stoppingToken);
                var wait = earliest is { } due ? TimeSpan.FromTicks(Math.Clamp((due - now).Ticks, 0, PollInterval.Ticks)) : PollInterval;
                if (failed)
                {
                    // A schedule whose start failed is still due: try again after a pause, not at once.
                    wait = RetryDelay;
                }

                if (wait > TimeSpan.Zero)
                {
                    await SleepAsync(time, now, wait, Volatile.Read(ref _wake).Task, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogLoopFailed(logger, e);
                await SleepAsync(time, time.GetUtcNow(), RetryDelay, Volatile.Read(ref _wake).Task, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Starts a run for every schedule due at <paramref name="now"/>; false when one of them failed (it stays due).</summary>
    private async Task<bool> TickAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        IReadOnlyList<ScheduleRecord> due;
        var failed = false;
        do
        {
            due = await schedules.ListDueSchedulesAsync(now, Batch, cancellationToken);
            foreach (var schedule in due)
            {
                try
                {
                    if (await runs.StartDueAsync(schedule, now, cancellationToken) is { } runId)
                    {
                        LogStarted(logger, schedule.Id, runId, schedule.WorkflowId, schedule.NextRunAt!.Value);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogStartFailed(logger, schedule.Id, e);
                    failed = true;
                }
            }
        }
        while (due.Count == Batch && !failed);
        return !failed;
    }

    /// <summary>
    /// Sleeps for <paramref name="wait"/> after <paramref name="now"/>, or until woken. The timer is made first and the
    /// clock read after, so a clock moved in between (a test's) is seen here instead of making the timer late.
    /// </summary>
    private static async Task SleepAsync(TimeProvider time, DateTimeOffset now, TimeSpan wait, Task wake, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(wait, time, stop.Token);
        if (time.GetUtcNow() - now > TimeSpan.FromMilliseconds(50))
        {
            await stop.CancelAsync();
            return;
        }

        await Task.WhenAny(delay, wake);
        await stop.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(EventId = LogEvents.ScheduleRunStarted, Level = LogLevel.Information, Message = "Schedule {ScheduleId} started run {RunId} of workflow {WorkflowId} for {DueAt}")]
    private static partial void LogStarted(ILogger logger, Guid scheduleId, Guid runId, string workflowId, DateTimeOffset dueAt);

    [LoggerMessage(EventId = LogEvents.ScheduleRunFailed, Level = LogLevel.Warning, Message = "Schedule {ScheduleId} could not start its run; it is tried again in 5 seconds")]
    private static partial void LogStartFailed(ILogger logger, Guid scheduleId, Exception exception);

    [LoggerMessage(EventId = LogEvents.SchedulerLoopFailed, Level = LogLevel.Error, Message = "The scheduler's loop failed; it continues in 5 seconds")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception);
}

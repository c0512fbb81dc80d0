using System.Collections.Concurrent;
using Enrichflow.Core.Diagnostics;
using Enrichflow.Core.Storage;
using Microsoft.Extensions.Logging;

namespace Enrichflow.Engine.Status;

/// <summary>
/// Keeps a run's <c>overall_progress_percentage</c> from going down (docs/api.md §3) without a write on the status
/// path: the answer is the highest of the computed percentage, the run's stored floor (<see cref="RunRecord.ProgressPercent"/>)
/// and what this process has answered before; a higher answer raises the stored floor behind the request, one
/// write per run at a time, so a status read never waits for the store's single writer (the engine's commits).
/// Other processes see the raised floor once that write commits.
/// </summary>
public sealed partial class ProgressFloor(IRunStore store, TimeProvider time, ILogger<ProgressFloor> logger) : IAsyncDisposable
{
    /// <summary>How long a run's entry outlives its last answer once the store holds its floor.</summary>
    private static readonly TimeSpan Keep = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<Guid, Entry> _runs = new();
    private readonly CancellationTokenSource _stopping = new();
    private long _lastPrune;

    /// <summary>Runs this process keeps a floor for.</summary>
    public int Count => _runs.Count;

    /// <summary>
    /// The percentage to answer for <paramref name="run"/> (as read for this answer) when the counters give
    /// <paramref name="percent"/>; when it is above the stored floor, the floor is raised in the background.
    /// </summary>
    public int Apply(RunRecord run, int percent)
    {
        var now = time.GetUtcNow().UtcTicks;
        Prune(now);
        var entry = _runs.GetOrAdd(run.Id, static _ => new Entry());
        int answer;
        var write = false;
        lock (entry)
        {
            entry.Stored = Math.Max(entry.Stored, run.ProgressPercent);
            entry.Answered = Math.Max(entry.Answered, Math.Max(percent, entry.Stored));
            entry.Touched = now;
            answer = entry.Answered;
            if (entry.Answered > entry.Stored && entry.Writing is null)
            {
                write = true;
                entry.Writing = Task.CompletedTask;
            }
        }

        if (write)
        {
            var task = RaiseAsync(run.Id, entry, _stopping.Token);
            lock (entry)
            {
                if (entry.Writing == Task.CompletedTask)
                {
                    entry.Writing = task;
                }
            }
        }

        return answer;
    }

    /// <summary>The run ended with its floor stored (a completed run answers 100): this process need not keep it.</summary>
    public void Forget(Guid runId)
    {
        if (_runs.TryGetValue(runId, out var entry))
        {
            lock (entry)
            {
                if (entry.Writing is not null || entry.Answered > entry.Stored)
                {
                    return;
                }
            }

            _runs.TryRemove(runId, out _);
        }
    }

    /// <summary>Raises the stored floor to what this process answered, until it holds the highest answer.</summary>
    private async Task RaiseAsync(Guid runId, Entry entry, CancellationToken cancellationToken)
    {
        await Task.Yield(); // the request goes on; the write waits for the store's writer on its own
        while (true)
        {
            int target;
            lock (entry)
            {
                target = entry.Answered;
            }

            int stored;
            try
            {
                // 0: the run is gone (deleted); nothing to keep.
                stored = await store.RaiseProgressAsync(runId, target, cancellationToken) is var raised and > 0 ? raised : target;
            }
            catch (Exception e)
            {
                if (e is not (OperationCanceledException or ObjectDisposedException))
                {
                    LogRaiseFailed(logger, runId, target, e);
                }

                lock (entry)
                {
                    entry.Writing = null; // the next answer above the stored floor tries again
                }

                return;
            }

            lock (entry)
            {
                entry.Stored = Math.Max(entry.Stored, stored);
                if (entry.Answered <= entry.Stored)
                {
                    entry.Writing = null;
                    return;
                }
            }
        }
    }

    /// <summary>Drops, at most once per <see cref="Keep"/>, the entries of runs not answered for that long whose floor the store holds.</summary>
    private void Prune(long now)
    {
        var last = Interlocked.Read(ref _lastPrune);
        if (now - last < Keep.Ticks || Interlocked.CompareExchange(ref _lastPrune, now, last) != last)
        {
            return;
        }

        foreach (var (runId, entry) in _runs)
        {
            lock (entry)
            {
                if (entry.Writing is not null || entry.Answered > entry.Stored || now - entry.Touched < Keep.Ticks)
                {
                    continue;
                }
            }

            _runs.TryRemove(runId, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        var writes = new List<Task>();
        foreach (var entry in _runs.Values)
        {
            lock (entry)
            {
                if (entry.Writing is { } task)
                {
                    writes.Add(task);
                }
            }
        }

        await Task.WhenAll(writes);
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = LogEvents.ProgressRaiseFailed, Level = LogLevel.Warning, Message = "Raising the stored progress of run {RunId} to {Percent}% failed; the next status read tries again")]
    private static partial void LogRaiseFailed(ILogger logger, Guid runId, int percent, Exception exception);

    private sealed class Entry
    {
        /// <summary>The highest percentage this process answered.</summary>
        public int Answered;

        /// <summary>The highest floor known to be stored.</summary>
        public int Stored;

        /// <summary>When the run was last answered (UTC ticks).</summary>
        public long Touched;

        /// <summary>The write raising the stored floor, while one runs.</summary>
        public Task? Writing;
    }
}

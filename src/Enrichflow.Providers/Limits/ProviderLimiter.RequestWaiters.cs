namespace Enrichflow.Providers.Limits;

/// <summary>
/// The callers waiting for a request token (<see cref="AcquireRequestAsync"/>, in <c>ProviderLimiter.Requests.cs</c>):
/// one timer set for the head's turn grants them first in, first out; a cancelled waiter leaves the queue; disposing
/// the limiter closes it.
/// </summary>
public sealed partial class ProviderLimiter
{
    private ITimer? _timer;
    private long _timerDueAt = long.MaxValue;

    private void ScheduleTimer(long at, long now)
    {
        if (at >= _timerDueAt)
        {
            return;
        }

        _timerDueAt = at;
        _timer ??= _time.CreateTimer(
            static state => ((ProviderLimiter)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        // Timers count whole milliseconds: round up, so the timer never fires before the turn it waits for.
        var delay = _time.GetElapsedTime(now, at);
        _timer.Change(TimeSpan.FromMilliseconds(Math.Ceiling(delay.TotalMilliseconds)), Timeout.InfiniteTimeSpan);
    }

    private void OnTimer()
    {
        List<RequestWaiter>? granted = null;
        lock (_requestLock)
        {
            _timerDueAt = long.MaxValue;
            if (_requestsClosed)
            {
                return;
            }

            var now = _time.GetTimestamp();
            while (_requestWaiters.First is { } head)
            {
                var at = EligibleAt();
                if (at > now)
                {
                    ScheduleTimer(at, now);
                    break;
                }

                Grant(now);
                _requestWaiters.RemoveFirst();
                (granted ??= []).Add(head.Value);
            }
        }

        foreach (var waiter in granted ?? [])
        {
            waiter.Registration.Unregister();
            waiter.TrySetResult();
        }
    }

    private static void OnRequestWaiterCancelled(object? state, CancellationToken cancellationToken)
    {
        var waiter = (RequestWaiter)state!;
        waiter.Owner.CancelRequestWaiter(waiter, cancellationToken);
    }

    private void CancelRequestWaiter(RequestWaiter waiter, CancellationToken cancellationToken)
    {
        lock (_requestLock)
        {
            if (waiter.Node.List is null)
            {
                return;
            }

            _requestWaiters.Remove(waiter.Node);
        }

        waiter.TrySetCanceled(cancellationToken);
    }

    private List<RequestWaiter> CloseRequests()
    {
        ITimer? timer;
        List<RequestWaiter> waiters;
        lock (_requestLock)
        {
            _requestsClosed = true;
            waiters = [.. _requestWaiters];
            _requestWaiters.Clear();
            timer = _timer;
            _timer = null;
        }

        timer?.Dispose();
        return waiters;
    }

    /// <summary>A caller waiting for a request token; its node is in the queue while it waits. Guarded by the request lock.</summary>
    private sealed class RequestWaiter : TaskCompletionSource
    {
        public RequestWaiter(ProviderLimiter owner)
            : base(TaskCreationOptions.RunContinuationsAsynchronously)
        {
            Owner = owner;
            Node = new LinkedListNode<RequestWaiter>(this);
        }

        public ProviderLimiter Owner { get; }

        public LinkedListNode<RequestWaiter> Node { get; }

        public CancellationTokenRegistration Registration { get; set; }
    }
}

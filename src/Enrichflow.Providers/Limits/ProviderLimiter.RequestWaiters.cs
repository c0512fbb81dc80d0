namespace Enrichflow.Providers.Limits;

/// <summary>
/// The callers waiting for a request token (<see cref="AcquireRequestAsync(string, CancellationToken)"/>, in
/// <c>ProviderLimiter.Requests.cs</c>): one queue per organization, first in, first out, and a round robin of the
/// organizations that wait; one timer set for the next grant serves the organization whose turn it is and sends it to
/// the back. A cancelled waiter leaves its queue; disposing the limiter closes them all.
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
            while (_requestTurns.First is not null)
            {
                var at = EligibleAt();
                if (at > now)
                {
                    ScheduleTimer(at, now);
                    break;
                }

                Grant(now);
                (granted ??= []).Add(DequeueRequestWaiter());
            }
        }

        foreach (var waiter in granted ?? [])
        {
            waiter.Registration.Unregister();
            waiter.TrySetResult();
        }
    }

    /// <summary>Queues a waiter at the back of its organization's queue, and a newly waiting organization at the back of the round. Under the lock.</summary>
    private void EnqueueRequestWaiter(RequestWaiter waiter)
    {
        if (!_requestOrgs.TryGetValue(waiter.OrgId, out var org))
        {
            org = new OrgRequests(waiter.OrgId);
            org.Turn = _requestTurns.AddLast(org);
            _requestOrgs.Add(waiter.OrgId, org);
        }

        org.Waiters.AddLast(waiter.Node);
        _requestWaiting++;
    }

    /// <summary>Takes the first waiter of the organization whose turn it is and sends that organization to the back. Under the lock.</summary>
    private RequestWaiter DequeueRequestWaiter()
    {
        var turn = _requestTurns.First!;
        var org = turn.Value;
        var waiter = org.Waiters.First!.Value;
        org.Waiters.RemoveFirst();
        _requestWaiting--;
        _requestTurns.RemoveFirst();
        if (org.Waiters.Count > 0)
        {
            _requestTurns.AddLast(turn);
        }
        else
        {
            _requestOrgs.Remove(org.Id);
        }

        return waiter;
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

            var org = _requestOrgs[waiter.OrgId];
            org.Waiters.Remove(waiter.Node);
            _requestWaiting--;
            if (org.Waiters.Count == 0)
            {
                _requestTurns.Remove(org.Turn!);
                _requestOrgs.Remove(org.Id);
            }
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
            waiters = [.. _requestTurns.SelectMany(org => org.Waiters)];
            foreach (var org in _requestTurns)
            {
                org.Waiters.Clear();
            }

            _requestTurns.Clear();
            _requestOrgs.Clear();
            _requestWaiting = 0;
            timer = _timer;
            _timer = null;
        }

        timer?.Dispose();
        return waiters;
    }

    /// <summary>One organization's waiting requests, first in first out, and its place in the round robin.</summary>
    private sealed class OrgRequests(string id)
    {
        public string Id { get; } = id;

        public LinkedList<RequestWaiter> Waiters { get; } = new();

        public LinkedListNode<OrgRequests>? Turn { get; set; }
    }

    /// <summary>A caller waiting for a request token; its node is in its organization's queue while it waits. Guarded by the request lock.</summary>
    private sealed class RequestWaiter : TaskCompletionSource
    {
        public RequestWaiter(ProviderLimiter owner, string orgId)
            : base(TaskCreationOptions.RunContinuationsAsynchronously)
        {
            Owner = owner;
            OrgId = orgId;
            Node = new LinkedListNode<RequestWaiter>(this);
        }

        public ProviderLimiter Owner { get; }

        public string OrgId { get; }

        public LinkedListNode<RequestWaiter> Node { get; }

        public CancellationTokenRegistration Registration { get; set; }
    }
}

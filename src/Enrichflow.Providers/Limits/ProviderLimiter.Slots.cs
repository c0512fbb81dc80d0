namespace Enrichflow.Providers.Limits;

/// <summary>
/// The max-in-flight gate. Waiters queue per organization and, within it, per run; a freed slot goes to the
/// organization whose turn it is (round robin), within it to the run whose turn it is (round robin), and within that
/// run to the waiter with the lowest priority value (then the earliest). So an organization with ten times the
/// waiting calls gets the same share as one with a few (docs/api.md §3, "Fair scheduling"). Invariant: waiters exist
/// only while every slot is taken, so a freed slot is handed to a waiter directly and never raced for.
/// </summary>
public sealed partial class ProviderLimiter
{
    private readonly Lock _slotLock = new();
    private readonly Dictionary<string, OrgWaiters> _orgs = new(StringComparer.Ordinal);
    private readonly LinkedList<OrgWaiters> _turns = new();
    private int _inFlight;
    private int _slotCapacity;
    private int _slotWaiting;
    private long _slotSequence;
    private bool _slotsClosed;

    /// <summary>
    /// Waits for an in-flight slot, fair between organizations and then between an organization's runs (round robin),
    /// lowest <paramref name="priority"/> value first within a run. Dispose the slot to free it (disposing twice frees
    /// it once). A cancelled waiter leaves the queue and never holds a slot. <see cref="ProviderLimits.MaxConcurrency"/>
    /// of 0 or less is unlimited.
    /// </summary>
    public ValueTask<IDisposable> AcquireSlotAsync(string orgId, Guid runId, long priority, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<IDisposable>(cancellationToken);
        }

        SlotWaiter waiter;
        lock (_slotLock)
        {
            ObjectDisposedException.ThrowIf(_slotsClosed, this);
            if (_inFlight < _slotCapacity)
            {
                _inFlight++;
                return ValueTask.FromResult<IDisposable>(new Slot(this));
            }

            waiter = new SlotWaiter(this, orgId, runId, priority, _slotSequence++);
            if (!_orgs.TryGetValue(orgId, out var org))
            {
                org = new OrgWaiters(orgId);
                org.Turn = _turns.AddLast(org);
                _orgs.Add(orgId, org);
            }

            if (!org.Runs.TryGetValue(runId, out var run))
            {
                run = new RunWaiters(runId);
                run.Turn = org.Turns.AddLast(run);
                org.Runs.Add(runId, run);
            }

            run.Waiters.Add(waiter);
            _slotWaiting++;
        }

        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.UnsafeRegister(OnSlotWaiterCancelled, waiter);
            lock (_slotLock)
            {
                if (waiter.Queued)
                {
                    waiter.Registration = registration;
                    registration = default;
                }
            }

            registration.Unregister();
        }

        _shared?.Wake();
        return new ValueTask<IDisposable>(waiter.Task);
    }

    /// <summary>
    /// Sets how many calls this process may have in flight: its share of the cluster's slots (<see cref="Share"/>).
    /// A larger share hands the new slots to waiters at once; a smaller one takes effect as calls finish.
    /// </summary>
    internal void SetSlotShare(int share)
    {
        List<SlotWaiter>? granted = null;
        lock (_slotLock)
        {
            _slotCapacity = share;
            while (_inFlight < _slotCapacity && NextSlotWaiter() is { } next)
            {
                _inFlight++;
                (granted ??= []).Add(next);
            }
        }

        foreach (var waiter in granted ?? [])
        {
            waiter.Registration.Unregister();
            waiter.TrySetResult(new Slot(this));
        }
    }

    /// <summary>Calls in flight, callers waiting for a slot, and the slots this process may use now.</summary>
    internal (int InFlight, int Waiting, int Capacity) SlotDemand()
    {
        lock (_slotLock)
        {
            return (_inFlight, _slotWaiting, _slotCapacity);
        }
    }

    private void ReleaseSlot()
    {
        SlotWaiter? next;
        lock (_slotLock)
        {
            // After a share shrank, a freed slot is handed on only once the calls fit the new share.
            next = _inFlight <= _slotCapacity ? NextSlotWaiter() : null;
            if (next is null)
            {
                _inFlight--;
            }
        }

        if (next is not null)
        {
            next.Registration.Unregister();
            next.TrySetResult(new Slot(this));
        }
    }

    /// <summary>
    /// Takes the best waiter of the run whose turn it is in the organization whose turn it is, and sends both to the
    /// back of their rounds. Under the lock.
    /// </summary>
    private SlotWaiter? NextSlotWaiter()
    {
        if (_turns.First is not { } orgTurn)
        {
            return null;
        }

        var org = orgTurn.Value;
        var runTurn = org.Turns.First!;
        var run = runTurn.Value;
        var waiter = run.Waiters.Min!;
        run.Waiters.Remove(waiter);
        org.Turns.RemoveFirst();
        if (run.Waiters.Count > 0)
        {
            org.Turns.AddLast(runTurn);
        }
        else
        {
            org.Runs.Remove(run.Id);
        }

        _turns.RemoveFirst();
        if (org.Turns.Count > 0)
        {
            _turns.AddLast(orgTurn);
        }
        else
        {
            _orgs.Remove(org.Id);
        }

        waiter.Queued = false;
        _slotWaiting--;
        return waiter;
    }

    private static void OnSlotWaiterCancelled(object? state, CancellationToken cancellationToken)
    {
        var waiter = (SlotWaiter)state!;
        waiter.Owner.CancelSlotWaiter(waiter, cancellationToken);
    }

    private void CancelSlotWaiter(SlotWaiter waiter, CancellationToken cancellationToken)
    {
        lock (_slotLock)
        {
            if (!waiter.Queued)
            {
                return;
            }

            waiter.Queued = false;
            _slotWaiting--;
            var org = _orgs[waiter.OrgId];
            var run = org.Runs[waiter.RunId];
            run.Waiters.Remove(waiter);
            if (run.Waiters.Count == 0)
            {
                org.Turns.Remove(run.Turn!);
                org.Runs.Remove(run.Id);
            }

            if (org.Turns.Count == 0)
            {
                _turns.Remove(org.Turn!);
                _orgs.Remove(org.Id);
            }
        }

        waiter.TrySetCanceled(cancellationToken);
    }

    private List<SlotWaiter> CloseSlots()
    {
        lock (_slotLock)
        {
            _slotsClosed = true;
            var waiters = _orgs.Values.SelectMany(org => org.Runs.Values).SelectMany(run => run.Waiters).ToList();
            foreach (var waiter in waiters)
            {
                waiter.Queued = false;
            }

            _orgs.Clear();
            _turns.Clear();
            _slotWaiting = 0;
            return waiters;
        }
    }

    /// <summary>One organization's runs that wait, their round robin, and the organization's place in the round robin.</summary>
    private sealed class OrgWaiters(string id)
    {
        public string Id { get; } = id;

        public Dictionary<Guid, RunWaiters> Runs { get; } = [];

        public LinkedList<RunWaiters> Turns { get; } = new();

        public LinkedListNode<OrgWaiters>? Turn { get; set; }
    }

    /// <summary>One run's waiters, best first, and its place in its organization's round robin.</summary>
    private sealed class RunWaiters(Guid id)
    {
        public Guid Id { get; } = id;

        public SortedSet<SlotWaiter> Waiters { get; } = new(SlotWaiterOrder.Instance);

        public LinkedListNode<RunWaiters>? Turn { get; set; }
    }

    /// <summary>A caller waiting for a slot. <see cref="Queued"/> and <see cref="Registration"/> are guarded by the slot lock.</summary>
    private sealed class SlotWaiter(ProviderLimiter owner, string orgId, Guid runId, long priority, long sequence)
        : TaskCompletionSource<IDisposable>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public ProviderLimiter Owner { get; } = owner;

        public string OrgId { get; } = orgId;

        public Guid RunId { get; } = runId;

        public long Priority { get; } = priority;

        public long Sequence { get; } = sequence;

        public bool Queued { get; set; } = true;

        public CancellationTokenRegistration Registration { get; set; }
    }

    private sealed class SlotWaiterOrder : IComparer<SlotWaiter>
    {
        public static readonly SlotWaiterOrder Instance = new();

        public int Compare(SlotWaiter? x, SlotWaiter? y)
        {
            var byPriority = x!.Priority.CompareTo(y!.Priority);
            return byPriority != 0 ? byPriority : x.Sequence.CompareTo(y.Sequence);
        }
    }

    private sealed class Slot(ProviderLimiter owner) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.ReleaseSlot();
            }
        }
    }
}

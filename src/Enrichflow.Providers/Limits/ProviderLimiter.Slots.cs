namespace Enrichflow.Providers.Limits;

/// <summary>
/// The max-in-flight gate. Waiters queue per run; a freed slot goes to the run whose turn it is (round robin), and
/// within that run to the waiter with the lowest priority value (then the earliest). Invariant: waiters exist only
/// while every slot is taken, so a freed slot is handed to a waiter directly and never raced for.
/// </summary>
public sealed partial class ProviderLimiter
{
    private readonly Lock _slotLock = new();
    private readonly Dictionary<Guid, RunWaiters> _runs = [];
    private readonly LinkedList<RunWaiters> _turns = new();
    private int _inFlight;
    private int _slotWaiting;
    private long _slotSequence;
    private bool _slotsClosed;

    /// <summary>
    /// Waits for an in-flight slot, fair between runs (round robin), lowest <paramref name="priority"/> value first
    /// within a run. Dispose the slot to free it (disposing twice frees it once). A cancelled waiter leaves the
    /// queue and never holds a slot. <see cref="ProviderLimits.MaxConcurrency"/> of 0 or less is unlimited.
    /// </summary>
    public ValueTask<IDisposable> AcquireSlotAsync(Guid runId, long priority, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<IDisposable>(cancellationToken);
        }

        SlotWaiter waiter;
        lock (_slotLock)
        {
            ObjectDisposedException.ThrowIf(_slotsClosed, this);
            if (Limits.MaxConcurrency <= 0 || _inFlight < Limits.MaxConcurrency)
            {
                _inFlight++;
                return ValueTask.FromResult<IDisposable>(new Slot(this));
            }

            waiter = new SlotWaiter(this, runId, priority, _slotSequence++);
            if (!_runs.TryGetValue(runId, out var run))
            {
                run = new RunWaiters(runId);
                run.Turn = _turns.AddLast(run);
                _runs.Add(runId, run);
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

        return new ValueTask<IDisposable>(waiter.Task);
    }

    private void ReleaseSlot()
    {
        SlotWaiter? next;
        lock (_slotLock)
        {
            next = NextSlotWaiter();
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

    /// <summary>Takes the best waiter of the run whose turn it is and sends that run to the back. Under the lock.</summary>
    private SlotWaiter? NextSlotWaiter()
    {
        if (_turns.First is not { } turn)
        {
            return null;
        }

        var run = turn.Value;
        var waiter = run.Waiters.Min!;
        run.Waiters.Remove(waiter);
        _turns.RemoveFirst();
        if (run.Waiters.Count > 0)
        {
            _turns.AddLast(turn);
        }
        else
        {
            _runs.Remove(run.Id);
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
            var run = _runs[waiter.RunId];
            run.Waiters.Remove(waiter);
            if (run.Waiters.Count == 0)
            {
                _turns.Remove(run.Turn!);
                _runs.Remove(run.Id);
            }
        }

        waiter.TrySetCanceled(cancellationToken);
    }

    private List<SlotWaiter> CloseSlots()
    {
        lock (_slotLock)
        {
            _slotsClosed = true;
            var waiters = _runs.Values.SelectMany(run => run.Waiters).ToList();
            foreach (var waiter in waiters)
            {
                waiter.Queued = false;
            }

            _runs.Clear();
            _turns.Clear();
            _slotWaiting = 0;
            return waiters;
        }
    }

    /// <summary>One run's waiters, best first, and its place in the round robin.</summary>
    private sealed class RunWaiters(Guid id)
    {
        public Guid Id { get; } = id;

        public SortedSet<SlotWaiter> Waiters { get; } = new(SlotWaiterOrder.Instance);

        public LinkedListNode<RunWaiters>? Turn { get; set; }
    }

    /// <summary>A caller waiting for a slot. <see cref="Queued"/> and <see cref="Registration"/> are guarded by the slot lock.</summary>
    private sealed class SlotWaiter(ProviderLimiter owner, Guid runId, long priority, long sequence)
        : TaskCompletionSource<IDisposable>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public ProviderLimiter Owner { get; } = owner;

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

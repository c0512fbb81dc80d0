namespace Enrichflow.Engine.Dispatch;

/// <summary>
/// The worker slot a unit runs in: a CPU slot (<see cref="EngineOptions.Workers"/>) until its block says it waits on
/// remote calls, then an I/O slot (<see cref="EngineOptions.IoWorkers"/>), so the CPU slot serves other units.
/// </summary>
internal sealed class WorkerSlot(SemaphoreSlim cpu, SemaphoreSlim io)
{
    private static readonly AsyncLocal<WorkerSlot?> CurrentSlot = new();
    private int _state; // 0: CPU slot held, 1: moving, 2: I/O slot held, 3: released

    /// <summary>Runs when the unit moves to the I/O pool (the dispatcher notes the block, and lifts the unit's timeout).</summary>
    public Action? OnMove { get; set; }

    /// <summary>The slot of the unit running on this async flow, if any.</summary>
    public static WorkerSlot? Current
    {
        get => CurrentSlot.Value;
        set => CurrentSlot.Value = value;
    }

    /// <summary>Takes an I/O slot (waiting for one if all are busy), then gives the CPU slot back.</summary>
    public async ValueTask MoveToIoAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            return;
        }

        OnMove?.Invoke();
        try
        {
            await io.WaitAsync(cancellationToken);
        }
        catch
        {
            Volatile.Write(ref _state, 0);
            throw;
        }

        Volatile.Write(ref _state, 2);
        cpu.Release();
    }

    /// <summary>
    /// Moves to an I/O slot only when one is free right now (without waiting, and without marking the unit as waiting
    /// on providers); true when it moved. For a unit that may run beside the CPU slots but must not queue behind
    /// units that wait on providers for minutes.
    /// </summary>
    public bool TryMoveToIo()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            return false;
        }

        if (!io.Wait(0))
        {
            Volatile.Write(ref _state, 0);
            return false;
        }

        Volatile.Write(ref _state, 2);
        cpu.Release();
        return true;
    }

    /// <summary>Gives back whichever slot the unit holds (once).</summary>
    public void Release()
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            if (state == 3)
            {
                return;
            }

            if (state == 1)
            {
                Thread.SpinWait(20); // a move is completing
                continue;
            }

            if (Interlocked.CompareExchange(ref _state, 3, state) == state)
            {
                (state == 2 ? io : cpu).Release();
                return;
            }
        }
    }
}

using Enrichflow.Engine.Execution;

namespace Enrichflow.Engine.Dispatch;

/// <summary>
/// What every dispatcher's loop does besides handing out units, and how it is woken: queued runs are started at
/// most every <see cref="StartInterval"/> while the loop keeps finding work (at once after it ran dry), runs are swept
/// every <see cref="SweepInterval"/>, and <see cref="Wake"/> ends the wait for the next pass early (once per pass,
/// however many commits asked).
/// </summary>
public sealed class DispatchPacer(TimeProvider time)
{
    public static readonly TimeSpan StartInterval = TimeSpan.FromMilliseconds(200);
    public static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private int _wakePending;
    private DateTimeOffset _lastStart = DateTimeOffset.MinValue;
    private DateTimeOffset _lastSweep = time.GetUtcNow();

    /// <summary>New units may be ready: the loop's wait ends now.</summary>
    public void Wake()
    {
        if (Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            _wake.Release();
        }
    }

    /// <summary>A pass begins: a wake from now on counts for the next wait.</summary>
    public void BeginPass() => Interlocked.Exchange(ref _wakePending, 0);

    /// <summary>Starts queued runs and sweeps when each is due.</summary>
    public async Task RunDueDutiesAsync(RunCoordinator coordinator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(coordinator);
        // Queued runs start while other runs still have work, not only when the loop runs dry.
        if (time.GetUtcNow() - _lastStart >= StartInterval)
        {
            _lastStart = time.GetUtcNow();
            await coordinator.StartQueuedRunsAsync(cancellationToken);
        }

        if (time.GetUtcNow() - _lastSweep > SweepInterval)
        {
            _lastSweep = time.GetUtcNow();
            await coordinator.SweepAsync(cancellationToken);
        }
    }

    /// <summary>Nothing was ready: queued runs are looked at again on the next pass, however soon.</summary>
    public void RanDry() => _lastStart = DateTimeOffset.MinValue;

    /// <summary>Waits for a wake, or <paramref name="pollInterval"/> at most.</summary>
    public Task WaitAsync(TimeSpan pollInterval, CancellationToken cancellationToken) => _wake.WaitAsync(pollInterval, cancellationToken);
}

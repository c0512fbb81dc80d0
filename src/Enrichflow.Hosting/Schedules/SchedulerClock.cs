namespace Enrichflow.Hosting.Schedules;

/// <summary>
/// The clock the scheduler reads and waits on: the system clock, registered by <c>AddEnrichflow</c>. A test that
/// registers another (a fake it moves by hand) drives schedules without moving the engine's clock; no configuration
/// value reaches it.
/// </summary>
public sealed class SchedulerClock(TimeProvider time)
{
    public TimeProvider Time { get; } = time;
}

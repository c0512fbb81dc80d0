namespace Enrichflow.Hosting.Retention;

/// <summary>
/// The clock retention reads and waits on: the system clock, registered by <c>AddEnrichflow</c>. A test that registers
/// another (a fake it moves by hand) makes data expire without moving the engine's clock.
/// </summary>
public sealed class RetentionClock(TimeProvider time)
{
    public TimeProvider Time { get; } = time;
}

using Enrichflow.Core.Storage;

namespace Enrichflow.Engine.States;

/// <summary>What happens to a run.</summary>
public enum RunEvent
{
    /// <summary>The dispatcher picks up a queued run (<see cref="Execution.RunCoordinator.StartQueuedRunsAsync"/>).</summary>
    Start,

    /// <summary>A provider is out of credits or the run's budget is reached.</summary>
    Pause,

    /// <summary><c>POST /resume</c>: the run continues from its committed units.</summary>
    Resume,

    /// <summary>The finalize unit committed.</summary>
    Complete,

    /// <summary>A unit failed for good.</summary>
    Fail,

    /// <summary><c>POST /cancel</c>.</summary>
    Cancel,
}

/// <summary>
/// The run state machine. <see cref="RunStatus.Completed"/> and <see cref="RunStatus.Cancelled"/> are final;
/// <see cref="RunStatus.Failed"/> ends a run (<see cref="RunStatuses.IsTerminal"/>) but may be resumed.
/// </summary>
public static class RunStates
{
    private static readonly RunStatus[] Active = [RunStatus.Queued, RunStatus.Running, RunStatus.Paused];

    public static StateTable<RunStatus, RunEvent> Table { get; } = new(RunStatus.Queued, new Dictionary<RunEvent, StateTransition<RunStatus>>
    {
        [RunEvent.Start] = new([RunStatus.Queued], RunStatus.Running),
        [RunEvent.Pause] = new([RunStatus.Running], RunStatus.Paused),
        [RunEvent.Resume] = new([RunStatus.Paused, RunStatus.Failed], RunStatus.Running),
        [RunEvent.Complete] = new([RunStatus.Running], RunStatus.Completed),
        [RunEvent.Fail] = new(Active, RunStatus.Failed),
        [RunEvent.Cancel] = new(Active, RunStatus.Cancelled),
    });

    /// <inheritdoc cref="StateTable{TState, TEvent}.Next"/>
    public static RunStatus? Next(RunStatus current, RunEvent @event) => Table.Next(current, @event);

    public static bool Allows(RunStatus current, RunEvent @event) => Table.Allows(current, @event);

    /// <summary>Whether the run's units are claimed and executed (the store's claim takes units of running runs only).</summary>
    public static bool RunsUnits(RunStatus status) => status == RunStatus.Running;
}

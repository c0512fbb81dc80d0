using Enrichflow.Core.Storage;

namespace Enrichflow.Engine.States;

/// <summary>
/// Applies run and block events to the store: the table gives the compare-and-set guard and the next status, so a
/// transition the table does not allow is refused atomically, even when two nodes race.
/// </summary>
public static class StoreTransitions
{
    /// <summary>Applies <paramref name="event"/> to the run; false when its status did not allow it.</summary>
    public static Task<bool> ApplyAsync(this IRunStore store, Guid runId, RunEvent @event, DateTimeOffset now, string? statusReason, string? errorMessage, CancellationToken cancellationToken) =>
        store.TransitionRunAsync(runId, RunStates.Table.From(@event), RunStates.Table.To(@event), now, statusReason, errorMessage, cancellationToken);

    /// <summary>Applies <paramref name="event"/> to a block of the run; false when its status did not allow it.</summary>
    public static Task<bool> ApplyAsync(this IRunStore store, Guid runId, string blockId, BlockEvent @event, DateTimeOffset now, string? errorMessage, CancellationToken cancellationToken) =>
        store.TransitionBlockAsync(runId, blockId, BlockStates.Table.From(@event), BlockStates.Table.To(@event), now, errorMessage, cancellationToken);
}

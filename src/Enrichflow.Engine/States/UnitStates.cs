using Enrichflow.Core.Storage;

namespace Enrichflow.Engine.States;

/// <summary>What happens to a work unit; each event is one fenced store operation.</summary>
public enum UnitEvent
{
    /// <summary>A worker claims a ready unit of a running run (<see cref="IRunStore.ClaimUnitAsync(string, TimeSpan, DateTimeOffset, CancellationToken)"/>).</summary>
    Claim,

    /// <summary>
    /// The holder's lease ran out (it crashed, hung, or backs off before another attempt; at start every lease is
    /// expired): the next claim takes the unit with a new lease, and the old holder's commit is refused.
    /// </summary>
    LeaseExpired,

    /// <summary>The holder extends its lease (<see cref="IRunStore.RenewLeaseAsync"/>).</summary>
    Renew,

    /// <summary>The holder commits the unit's output (<see cref="IRunStore.CommitUnitAsync"/>).</summary>
    Commit,

    /// <summary>
    /// Another unit's commit records this unit as done too: blocks fused into one unit, and the chunks a source
    /// commits. A unit that does not exist yet is added as done.
    /// </summary>
    CommitAlongside,

    /// <summary>The holder gives the unit up: a permanent error, or its attempts are used up (<see cref="IRunStore.FailUnitAsync"/>).</summary>
    Fail,

    /// <summary>The run resumes: units its failure or pause stopped run again (<see cref="IRunStore.RetryFailedUnitsAsync"/>).</summary>
    Retry,
}

/// <summary>
/// The work-unit state machine. Units change only inside the store, under their lease, so the store's SQL guards
/// decide; this table is what those guards must say, and the store compliance suite checks that they do.
/// A unit is enqueued as <see cref="UnitStatus.Pending"/> where absent; <see cref="UnitStatus.Done"/> is final.
/// </summary>
public static class UnitStates
{
    public static StateTable<UnitStatus, UnitEvent> Table { get; } = new(UnitStatus.Pending, new Dictionary<UnitEvent, StateTransition<UnitStatus>>
    {
        [UnitEvent.Claim] = new([UnitStatus.Pending], UnitStatus.Running),
        [UnitEvent.LeaseExpired] = new([UnitStatus.Running], UnitStatus.Running),
        [UnitEvent.Renew] = new([UnitStatus.Running], UnitStatus.Running),
        [UnitEvent.Commit] = new([UnitStatus.Running], UnitStatus.Done),
        [UnitEvent.CommitAlongside] = new([UnitStatus.Pending, UnitStatus.Running, UnitStatus.Failed], UnitStatus.Done),
        [UnitEvent.Fail] = new([UnitStatus.Running], UnitStatus.Failed),
        [UnitEvent.Retry] = new([UnitStatus.Running, UnitStatus.Failed], UnitStatus.Pending),
    });

    /// <inheritdoc cref="StateTable{TState, TEvent}.Next"/>
    public static UnitStatus? Next(UnitStatus current, UnitEvent @event) => Table.Next(current, @event);

    public static bool Allows(UnitStatus current, UnitEvent @event) => Table.Allows(current, @event);
}

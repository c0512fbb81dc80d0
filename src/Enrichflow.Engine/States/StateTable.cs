namespace Enrichflow.Engine.States;

/// <summary>One row of a <see cref="StateTable{TState, TEvent}"/>: an event moves from any of <paramref name="From"/> to <paramref name="To"/>.</summary>
public sealed record StateTransition<TState>(IReadOnlyList<TState> From, TState To)
    where TState : struct, Enum;

/// <summary>
/// A state machine as a table: every event has one row saying the states it may leave and the state it enters.
/// <see cref="Next"/> is the one function that decides a transition. A store applies a transition as a compare and
/// set over <see cref="From"/>, so the table and the store's guard are the same set.
/// </summary>
public sealed class StateTable<TState, TEvent>
    where TState : struct, Enum
    where TEvent : struct, Enum
{
    private readonly Dictionary<TEvent, StateTransition<TState>> _rows;

    /// <param name="initial">The state a new item starts in.</param>
    /// <param name="rows">One row for every event of <typeparamref name="TEvent"/>.</param>
    public StateTable(TState initial, IReadOnlyDictionary<TEvent, StateTransition<TState>> rows)
    {
        foreach (var @event in Enum.GetValues<TEvent>())
        {
            if (!rows.ContainsKey(@event))
            {
                throw new ArgumentException($"The {typeof(TState).Name} table has no row for event {@event}.", nameof(rows));
            }
        }

        Initial = initial;
        _rows = new Dictionary<TEvent, StateTransition<TState>>(rows);
    }

    public TState Initial { get; }

    /// <summary>The state <paramref name="event"/> moves <paramref name="current"/> to, or null when the table does not allow it.</summary>
    public TState? Next(TState current, TEvent @event)
    {
        var row = _rows[@event];
        return row.From.Contains(current) ? row.To : null;
    }

    public bool Allows(TState current, TEvent @event) => Next(current, @event) is not null;

    /// <summary>The states <paramref name="event"/> may leave (the store's compare-and-set guard).</summary>
    public IReadOnlyList<TState> From(TEvent @event) => _rows[@event].From;

    /// <summary>The state <paramref name="event"/> enters.</summary>
    public TState To(TEvent @event) => _rows[@event].To;

    /// <summary>The events that may leave <paramref name="current"/>.</summary>
    public IEnumerable<TEvent> EventsFrom(TState current) => _rows.Where(r => r.Value.From.Contains(current)).Select(r => r.Key);
}

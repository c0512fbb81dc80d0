using Enrichflow.Core.Storage;
using Enrichflow.Engine.States;

namespace Enrichflow.Engine.Tests.States;

/// <summary>
/// The run, block and unit state tables, cell by cell: each expected table below is written out independently of
/// <see cref="RunStates"/>, <see cref="BlockStates"/> and <see cref="UnitStates"/>; a cell it leaves out is a
/// transition that must be refused.
/// </summary>
public sealed class StateTableTests
{
    private static readonly Dictionary<(RunStatus, RunEvent), RunStatus> RunCells = new()
    {
        [(RunStatus.Queued, RunEvent.Start)] = RunStatus.Running,
        [(RunStatus.Queued, RunEvent.Fail)] = RunStatus.Failed,
        [(RunStatus.Queued, RunEvent.Cancel)] = RunStatus.Cancelled,
        [(RunStatus.Running, RunEvent.Pause)] = RunStatus.Paused,
        [(RunStatus.Running, RunEvent.Complete)] = RunStatus.Completed,
        [(RunStatus.Running, RunEvent.Fail)] = RunStatus.Failed,
        [(RunStatus.Running, RunEvent.Cancel)] = RunStatus.Cancelled,
        [(RunStatus.Paused, RunEvent.Resume)] = RunStatus.Running,
        [(RunStatus.Paused, RunEvent.Fail)] = RunStatus.Failed,
        [(RunStatus.Paused, RunEvent.Cancel)] = RunStatus.Cancelled,
        [(RunStatus.Failed, RunEvent.Resume)] = RunStatus.Running,
    };

    private static readonly Dictionary<(BlockStatus, BlockEvent), BlockStatus> BlockCells = new()
    {
        [(BlockStatus.Pending, BlockEvent.Start)] = BlockStatus.Running,
        [(BlockStatus.Pending, BlockEvent.Complete)] = BlockStatus.Completed,
        [(BlockStatus.Running, BlockEvent.Complete)] = BlockStatus.Completed,
        [(BlockStatus.Failed, BlockEvent.Complete)] = BlockStatus.Completed,
        [(BlockStatus.Cancelled, BlockEvent.Complete)] = BlockStatus.Completed,
        [(BlockStatus.Pending, BlockEvent.Fail)] = BlockStatus.Failed,
        [(BlockStatus.Running, BlockEvent.Fail)] = BlockStatus.Failed,
        [(BlockStatus.Completed, BlockEvent.Fail)] = BlockStatus.Failed,
        [(BlockStatus.Failed, BlockEvent.Fail)] = BlockStatus.Failed,
        [(BlockStatus.Cancelled, BlockEvent.Fail)] = BlockStatus.Failed,
        [(BlockStatus.Pending, BlockEvent.Stop)] = BlockStatus.Cancelled,
        [(BlockStatus.Running, BlockEvent.Stop)] = BlockStatus.Cancelled,
        [(BlockStatus.Cancelled, BlockEvent.Stop)] = BlockStatus.Cancelled,
    };

    private static readonly Dictionary<(UnitStatus, UnitEvent), UnitStatus> UnitCells = new()
    {
        [(UnitStatus.Pending, UnitEvent.Claim)] = UnitStatus.Running,
        [(UnitStatus.Running, UnitEvent.LeaseExpired)] = UnitStatus.Running,
        [(UnitStatus.Running, UnitEvent.Renew)] = UnitStatus.Running,
        [(UnitStatus.Running, UnitEvent.Commit)] = UnitStatus.Done,
        [(UnitStatus.Pending, UnitEvent.CommitAlongside)] = UnitStatus.Done,
        [(UnitStatus.Running, UnitEvent.CommitAlongside)] = UnitStatus.Done,
        [(UnitStatus.Failed, UnitEvent.CommitAlongside)] = UnitStatus.Done,
        [(UnitStatus.Running, UnitEvent.Fail)] = UnitStatus.Failed,
        [(UnitStatus.Running, UnitEvent.Retry)] = UnitStatus.Pending,
        [(UnitStatus.Failed, UnitEvent.Retry)] = UnitStatus.Pending,
    };

    [Fact]
    public void Every_run_transition_is_the_one_expected() => AssertCells(RunStates.Table, RunCells);

    [Fact]
    public void Every_block_transition_is_the_one_expected() => AssertCells(BlockStates.Table, BlockCells);

    [Fact]
    public void Every_unit_transition_is_the_one_expected() => AssertCells(UnitStates.Table, UnitCells);

    [Fact]
    public void Runs_start_queued_and_blocks_and_units_pending()
    {
        Assert.Equal(RunStatus.Queued, RunStates.Table.Initial);
        Assert.Equal(BlockStatus.Pending, BlockStates.Table.Initial);
        Assert.Equal(UnitStatus.Pending, UnitStates.Table.Initial);
    }

    [Fact]
    public void Completed_and_cancelled_runs_have_no_way_out_and_a_failed_run_can_only_be_resumed()
    {
        Assert.Empty(RunStates.Table.EventsFrom(RunStatus.Completed));
        Assert.Empty(RunStates.Table.EventsFrom(RunStatus.Cancelled));
        Assert.Equal([RunEvent.Resume], RunStates.Table.EventsFrom(RunStatus.Failed));
    }

    [Fact]
    public void A_done_unit_never_changes_again() => Assert.Empty(UnitStates.Table.EventsFrom(UnitStatus.Done));

    [Fact]
    public void Cancel_of_an_ended_run_keeps_its_status()
    {
        foreach (var status in Enum.GetValues<RunStatus>().Where(s => s.IsTerminal()))
        {
            Assert.Null(RunStates.Next(status, RunEvent.Cancel));
        }
    }

    [Fact]
    public void The_block_that_failed_is_not_stopped_and_a_finished_block_is_not_stopped()
    {
        Assert.Null(BlockStates.Next(BlockStatus.Failed, BlockEvent.Stop));
        Assert.Null(BlockStates.Next(BlockStatus.Completed, BlockEvent.Stop));
    }

    [Fact]
    public void Only_running_runs_run_units() =>
        Assert.Equal([RunStatus.Running], Enum.GetValues<RunStatus>().Where(RunStates.RunsUnits));

    [Fact]
    public void Every_status_is_reachable_from_the_initial_one()
    {
        AssertAllReachable(RunStates.Table);
        AssertAllReachable(BlockStates.Table);
        AssertAllReachable(UnitStates.Table);
    }

    [Fact]
    public void A_table_without_a_row_for_every_event_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new StateTable<RunStatus, RunEvent>(RunStatus.Queued, new Dictionary<RunEvent, StateTransition<RunStatus>>
        {
            [RunEvent.Start] = new([RunStatus.Queued], RunStatus.Running),
        }));
        Assert.StartsWith("The RunStatus table has no row for event Pause.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_and_to_are_the_table_rows_the_store_guards_with()
    {
        Assert.Equal([RunStatus.Queued, RunStatus.Running, RunStatus.Paused], RunStates.Table.From(RunEvent.Cancel));
        Assert.Equal(RunStatus.Cancelled, RunStates.Table.To(RunEvent.Cancel));
        Assert.Equal([BlockStatus.Pending], BlockStates.Table.From(BlockEvent.Start));
        Assert.Equal([UnitStatus.Running, UnitStatus.Failed], UnitStates.Table.From(UnitEvent.Retry));
    }

    private static void AssertCells<TState, TEvent>(StateTable<TState, TEvent> table, Dictionary<(TState, TEvent), TState> expected)
        where TState : struct, Enum
        where TEvent : struct, Enum
    {
        var wrong = new List<string>();
        foreach (var state in Enum.GetValues<TState>())
        {
            foreach (var @event in Enum.GetValues<TEvent>())
            {
                TState? want = expected.TryGetValue((state, @event), out var to) ? to : null;
                var got = table.Next(state, @event);
                if (!Nullable.Equals(want, got))
                {
                    wrong.Add($"{state} --{@event}--> {got?.ToString() ?? "refused"}, expected {want?.ToString() ?? "refused"}");
                }

                Assert.Equal(got is not null, table.Allows(state, @event));
            }
        }

        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
    }

    private static void AssertAllReachable<TState, TEvent>(StateTable<TState, TEvent> table)
        where TState : struct, Enum
        where TEvent : struct, Enum
    {
        var seen = new HashSet<TState> { table.Initial };
        var queue = new Queue<TState>(seen);
        while (queue.TryDequeue(out var state))
        {
            foreach (var @event in table.EventsFrom(state))
            {
                if (seen.Add(table.To(@event)))
                {
                    queue.Enqueue(table.To(@event));
                }
            }
        }

        Assert.Equal(Enum.GetValues<TState>().Order(), seen.Order());
    }
}

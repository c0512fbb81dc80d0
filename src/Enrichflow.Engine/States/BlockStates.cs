using Enrichflow.Core.Storage;

namespace Enrichflow.Engine.States;

/// <summary>What happens to a block of a run.</summary>
public enum BlockEvent
{
    /// <summary>
    /// Work for the block begins: the source when its run starts, another block when the first of its chunks is
    /// claimed (the store does this in the claim) or when the coordinator enqueues its work.
    /// </summary>
    Start,

    /// <summary>The block's assembly committed: its result files are complete.</summary>
    Complete,

    /// <summary>A unit of the block failed for good and failed the run.</summary>
    Fail,

    /// <summary>The run was cancelled or failed before the block finished: it keeps partial files.</summary>
    Stop,
}

/// <summary>
/// The block state machine. No block status is final while its run can be resumed: a failed run's blocks carry on
/// from their committed chunks, keep the status the failure or stop gave them, and complete when assembled.
/// </summary>
public static class BlockStates
{
    public static StateTable<BlockStatus, BlockEvent> Table { get; } = new(BlockStatus.Pending, new Dictionary<BlockEvent, StateTransition<BlockStatus>>
    {
        [BlockEvent.Start] = new([BlockStatus.Pending], BlockStatus.Running),
        [BlockEvent.Complete] = new([BlockStatus.Pending, BlockStatus.Running, BlockStatus.Failed, BlockStatus.Cancelled], BlockStatus.Completed),

        // A failure names its block whatever it had reached (a unit may fail after its block's files were written,
        // and a block failed again after a resume gets the new message).
        [BlockEvent.Fail] = new([BlockStatus.Pending, BlockStatus.Running, BlockStatus.Completed, BlockStatus.Failed, BlockStatus.Cancelled], BlockStatus.Failed),

        // The block that failed keeps its status and message; finished blocks keep their complete files.
        [BlockEvent.Stop] = new([BlockStatus.Pending, BlockStatus.Running, BlockStatus.Cancelled], BlockStatus.Cancelled),
    });

    /// <inheritdoc cref="StateTable{TState, TEvent}.Next"/>
    public static BlockStatus? Next(BlockStatus current, BlockEvent @event) => Table.Next(current, @event);

    public static bool Allows(BlockStatus current, BlockEvent @event) => Table.Allows(current, @event);
}

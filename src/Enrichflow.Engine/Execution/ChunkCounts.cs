using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;

namespace Enrichflow.Engine.Execution;

/// <summary>
/// How many chunks each block has: the source's count, times the number of inputs of every merge above it (a
/// merge numbers its chunks input by input).
/// </summary>
public static class ChunkCounts
{
    public static int Total(WorkflowPlan plan, PlannedBlock block, int sourceChunks) => sourceChunks * Multiplier(plan, block);

    public static int Multiplier(WorkflowPlan plan, PlannedBlock block) => block switch
    {
        { IsSource: true } => 1,
        { Compiled: MergeBlock { HasBuildSide: true } } => Multiplier(plan, plan[block.Inputs[0].FromBlockId]),
        { Compiled: MergeBlock } => block.Inputs.Sum(e => Multiplier(plan, plan[e.FromBlockId])),
        _ => Multiplier(plan, plan[block.Inputs[0].FromBlockId]),
    };

    /// <summary>Which input, and which of its chunks, a merge's output chunk comes from.</summary>
    public static (int Input, int Chunk) MergeSource(WorkflowPlan plan, PlannedBlock merge, int chunk, int sourceChunks)
    {
        if (merge.Compiled is MergeBlock { HasBuildSide: true })
        {
            return (0, chunk);
        }

        for (var input = 0; input < merge.Inputs.Count; input++)
        {
            var count = Total(plan, plan[merge.Inputs[input].FromBlockId], sourceChunks);
            if (chunk < count)
            {
                return (input, chunk);
            }

            chunk -= count;
        }

        throw new InvalidOperationException($"Chunk is past the end of merge '{merge.Id}'.");
    }

    /// <summary>
    /// How many observe units a join has: one per chunk of each of its inputs. They are numbered chunk × inputs +
    /// input, so a unit's number is known as soon as its input chunk is committed (before the source has finished).
    /// </summary>
    public static int MergeObserveTotal(WorkflowPlan plan, PlannedBlock merge, int sourceChunks) =>
        merge.Inputs.Sum(e => Total(plan, plan[e.FromBlockId], sourceChunks));

    /// <summary>The observe unit of a join for chunk <paramref name="chunk"/> of its input <paramref name="input"/>.</summary>
    public static int MergeObserveUnit(PlannedBlock merge, int input, int chunk) => chunk * merge.Inputs.Count + input;

    /// <summary>Which input, and which of its chunks, a join's observe unit reads.</summary>
    public static (int Input, int Chunk) MergeObserveSource(PlannedBlock merge, int unit) =>
        (unit % merge.Inputs.Count, unit / merge.Inputs.Count);
}

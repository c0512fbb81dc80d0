using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;

namespace Enrichflow.Engine.Execution;

/// <summary>
/// Fusion of linear chains: a row block whose only input is a row block with no other output runs in the same
/// unit as that block, over the chunk in memory. A segment starts at a head (a block fed by the source, a
/// fan-out or a merge) and runs while each block has exactly one fusable child; each block still writes its own
/// result fragments and counters, but only the segment's last block stores a chunk for later units to read.
/// </summary>
public static class Segments
{
    public static bool IsHead(WorkflowPlan plan, PlannedBlock block) =>
        !block.IsSource && !FusesWithParent(plan, block);

    /// <summary>The blocks of the segment that starts at <paramref name="head"/>, in order.</summary>
    public static List<PlannedBlock> From(WorkflowPlan plan, PlannedBlock head)
    {
        var members = new List<PlannedBlock> { head };
        var current = head;
        while (current.Outputs.Count == 1 && plan[current.Outputs[0]] is var child && FusesWithParent(plan, child))
        {
            members.Add(child);
            current = child;
        }

        return members;
    }

    /// <summary>The block that heads <paramref name="block"/>'s segment (the source heads its own), whose unit wrote its output.</summary>
    public static PlannedBlock HeadOf(WorkflowPlan plan, PlannedBlock block)
    {
        while (FusesWithParent(plan, block))
        {
            block = plan[block.Inputs[0].FromBlockId];
        }

        return block;
    }

    /// <summary>True when later units read this block's chunks (it ends a segment, or it is the source, and has children; any block of an extensible plan).</summary>
    public static bool StoresChunks(WorkflowPlan plan, PlannedBlock block) =>
        plan.Extensible || (block.Outputs.Count > 0 && (block.IsSource || block.Outputs.Count > 1 || block.Outputs.Any(id => IsHead(plan, plan[id]))));

    private static bool FusesWithParent(WorkflowPlan plan, PlannedBlock block)
    {
        if (plan.Extensible || block.Inputs.Count != 1 || block.Compiled is not RowBlock)
        {
            return false;
        }

        var parent = plan[block.Inputs[0].FromBlockId];
        return !parent.IsSource && parent.Compiled is RowBlock && parent.Outputs.Count == 1;
    }
}

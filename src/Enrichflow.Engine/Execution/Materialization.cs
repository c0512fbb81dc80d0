using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;

namespace Enrichflow.Engine.Execution;

/// <summary>
/// Which result bytes a unit writes while the run goes, and which are rendered on first download (docs/api.md §3.1,
/// <c>Results:Materialize</c>). A block's files can wait when its rows for each chunk can be had again later: they are
/// stored (a chunk that later units read), or the block can be run again over rows that are (<see cref="Replayable"/>).
/// Final blocks' files are always written during the run: that is what users download.
/// </summary>
public static class Materialization
{
    /// <summary>True when the block's CSV (and NDJSON/JSON) files are rendered on first download instead of by its units.</summary>
    public static bool FilesDeferred(WorkflowPlan plan, PlannedBlock block, bool all)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(block);
        return !all && !plan.Extensible && block.Outputs.Count > 0 && (Segments.StoresChunks(plan, block) || Replayable(plan, block));
    }

    /// <summary>True when the block's lines of <c>rejects.ndjson</c> are rendered on first download, by running the block again.</summary>
    public static bool RejectsDeferred(WorkflowPlan plan, PlannedBlock block, bool all)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return !all && !plan.Extensible && Replayable(plan, block);
    }

    /// <summary>
    /// True when the block's output for a chunk can be made again, the same to the byte: a row block that declares
    /// itself <see cref="CompiledBlock.Recomputable"/>, whose input block stores its chunks or is replayable itself.
    /// </summary>
    public static bool Replayable(WorkflowPlan plan, PlannedBlock block)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(block);
        if (block.IsSource || block.Compiled is not RowBlock || !block.Compiled.Recomputable || block.Inputs.Count != 1)
        {
            return false;
        }

        var parent = plan[block.Inputs[0].FromBlockId];
        return Segments.StoresChunks(plan, parent) || Replayable(plan, parent);
    }
}

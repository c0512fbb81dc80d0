using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.Execution;

namespace Enrichflow.Hosting.Cleanup;

/// <summary>
/// Tells each block of an ended run that the run ended (<see cref="CompiledBlock.OnRunEndedAsync"/>), in plan order,
/// so it can forget what it kept for the run (an export its delivered batches).
/// </summary>
public sealed class BlockRunEndCleanup(IServiceProvider services) : IRunEndListener
{
    public async Task OnRunEndedAsync(RunRecord run, WorkflowPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(plan);
        foreach (var block in plan.Blocks)
        {
            await block.Compiled.OnRunEndedAsync(new BlockRunEndContext { Run = run, BlockId = block.Id, Services = services }, cancellationToken);
        }
    }
}

using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Rows;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.Results;

namespace Enrichflow.Engine.Execution;

/// <summary>
/// A block's committed rows for one chunk, had again after the unit that made them is gone: read from the unit file
/// that stored them, or made again by running a <see cref="Materialization.Replayable"/> block over its input's
/// stored rows (which is how result files the run did not write are rendered, docs/api.md §3.1).
/// </summary>
public sealed class ChunkReplay(IRunStore store, IBlobStore blobs, IServiceProvider services, TimeProvider time)
{
    /// <summary>What running a block again over a chunk gave: its input as it arrived (before the edge's condition) and its output.</summary>
    public sealed record Replayed(RowChunk Input, ChunkOutput Output);

    /// <summary>The rows <paramref name="block"/> stored for <paramref name="chunk"/> under the committed attempt's tag.</summary>
    public async Task<RowChunk> ReadStoredAsync(Guid runId, WorkflowPlan plan, PlannedBlock block, int chunk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(block);
        var output = await store.GetChunkOutputAsync(new UnitKey(runId, UnitKind.Chunk, block.Id, chunk), cancellationToken)
            ?? throw new InvalidOperationException($"Chunk {chunk} of block '{block.Id}' is not committed.");
        return await ReadStoredAsync(runId, plan, block, chunk, output.OutputTag, cancellationToken);
    }

    /// <summary>The rows <paramref name="block"/> stored for <paramref name="chunk"/> in the unit file tagged <paramref name="tag"/>.</summary>
    public async Task<RowChunk> ReadStoredAsync(Guid runId, WorkflowPlan plan, PlannedBlock block, int chunk, Guid tag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(block);
        var key = BlobKeys.UnitOutput(runId, Segments.HeadOf(plan, block).Id, chunk, tag);
        using var bytes = await UnitOutputFile.ReadSectionAsync(blobs, key, block.Id, SectionKind.Chunk, cancellationToken)
            ?? throw new InvalidOperationException($"The output of block '{block.Id}' for chunk {chunk} has no stored rows.");
        return ChunkFormat.Parse(bytes.WrittenSpan);
    }

    /// <summary>The block's output rows for a chunk: stored, or made again.</summary>
    public async Task<RowChunk> RowsAsync(RunRecord run, WorkflowPlan plan, PlannedBlock block, int chunk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(plan);
        return Segments.StoresChunks(plan, block)
            ? await ReadStoredAsync(run.Id, plan, block, chunk, cancellationToken)
            : new RowChunk(chunk, (await ReplayAsync(run, plan, block, chunk, cancellationToken)).Output.Rows);
    }

    /// <summary>Runs a replayable block again over one chunk of its input, through its edge's condition, as its unit did.</summary>
    public async Task<Replayed> ReplayAsync(RunRecord run, WorkflowPlan plan, PlannedBlock block, int chunk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(block);
        if (!Materialization.Replayable(plan, block))
        {
            throw new InvalidOperationException($"Block '{block.Id}' cannot be run again over stored rows.");
        }

        var edge = block.Inputs[0];
        var input = await RowsAsync(run, plan, plan[edge.FromBlockId], chunk, cancellationToken);
        var output = new ChunkOutput(input.Count);
        var passed = EdgeConditions.Apply(edge, input, output);
        MissingColumnException.ThrowIfAbsent(EdgeConditions.ChecksFor(block, 0), passed);
        var context = new BlockRunContext
        {
            RunId = run.Id,
            OrgId = run.OrgId,
            BlockId = block.Id,
            WorkflowId = run.WorkflowId,
            Services = services,
            Time = time,
        };
        await ((RowBlock)block.Compiled).ProcessAsync(passed, output, context, cancellationToken);
        return new Replayed(input, output);
    }
}

using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Rows;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.Results;
using Enrichflow.Engine.States;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using Enrichflow.Core.Diagnostics;

namespace Enrichflow.Engine.Execution;

/// <summary>
/// Runs one claimed work unit: reads its input from the blob store, runs the block, writes the output, and
/// commits under the unit's lease. A unit that runs twice commits once.
/// </summary>
public sealed partial class UnitExecutor(
    IRunStore store,
    IBlobStore blobs,
    RunPlans plans,
    RunCoordinator coordinator,
    ResultAssembler assembler,
    ChunkHandoff handoff,
    ChunkReplay replay,
    Status.ChunkProgress progress,
    EnrichflowMetrics metrics,
    IServiceProvider services,
    IOptions<EngineOptions> options,
    IOptions<ResultsOptions> results,
    TimeProvider time,
    ILogger<UnitExecutor> logger)
{
    private readonly EngineOptions _options = options.Value;
    private readonly bool _materializeAll = results.Value.All;

    public async Task ExecuteAsync(ClaimedUnit unit, CancellationToken cancellationToken)
    {
        var run = await store.GetRunAsync(unit.Key.RunId, cancellationToken);
        if (run is null || !RunStates.RunsUnits(run.Status))
        {
            return;
        }

        var (plan, runOptions) = plans.Get(run);
        try
        {
            await ExecuteAsync(unit, run, plan, runOptions, cancellationToken);
        }
        catch (RunPauseException e)
        {
            // Not a failure: the unit's committed work stays, and resume runs it again (paid answers are cached).
            // A unit that a resume has since handed on (its lease is gone) decided on what held before that resume:
            // the resumed run is not paused for it.
            if (await store.RenewLeaseAsync(unit, _options.Lease, time.GetUtcNow(), CancellationToken.None))
            {
                await coordinator.PauseAsync(run.Id, e.Message, cancellationToken);
            }
            else
            {
                LogStalePauseIgnored(logger, unit.Key, e.Message);
            }
        }
    }

    private async Task ExecuteAsync(ClaimedUnit unit, RunRecord run, WorkflowPlan plan, RunOptions runOptions, CancellationToken cancellationToken)
    {
        switch (unit.Key.Kind)
        {
            case UnitKind.Source:
                await RunSourceAsync(unit, run, plan, runOptions, cancellationToken);
                break;
            case UnitKind.Chunk:
                await RunChunkAsync(unit, run, plan, runOptions, cancellationToken);
                break;
            case UnitKind.Observe:
                await ObserveAsync(unit, run, plan, cancellationToken);
                break;
            case UnitKind.Assemble:
                await AssembleAsync(unit, run, plan, runOptions, cancellationToken);
                break;
            case UnitKind.Finalize:
                await FinalizeAsync(unit, run, plan, cancellationToken);
                break;
        }
    }

    private BlockRunContext ContextFor(RunRecord run, PlannedBlock block, int? chunk = null)
    {
        var (_, runOptions) = plans.Get(run);
        Action<int>? reportRowsDone = chunk is int c ? rows => progress.Add(run.Id, block.Id, c, rows) : null;
        return new()
        {
            RunId = run.Id,
            OrgId = run.OrgId,
            BlockId = block.Id,
            WorkflowId = run.WorkflowId,
            Services = services,
            Time = time,
            Enrichment = new RunEnrichmentSettings(runOptions.CacheConfig.Enabled, runOptions.CacheConfig.TtlDays, runOptions.MaxCredits),
            WaitsOnRemoteCalls = Dispatch.WorkerSlot.Current is { } slot ? slot.MoveToIoAsync : null,
            ReportRowsDone = reportRowsDone,
        };
    }

    /// <summary>The units that read <paramref name="block"/>'s chunk next: the heads of the segments it feeds.</summary>
    private static UnitKey[] ChunkUnitsAfter(WorkflowPlan plan, PlannedBlock block, Guid runId, int chunk) =>
        [.. block.Outputs.Select(id => plan[id]).Where(child => child.Compiled is not MergeBlock).Select(child =>
            new UnitKey(runId, child.Compiled is TwoPhaseBlock ? UnitKind.Observe : UnitKind.Chunk, child.Id, chunk, child.Position)),
         .. MergeUnitsAfter(plan, block, runId, chunk)];

    /// <summary>
    /// Adds what a block produced for one chunk to its unit's output file: its CSV fragment (and NDJSON when asked
    /// for), its rejects, and the binary chunk when later units read it. Fragments that <see cref="Materialization"/>
    /// defers are not written: they are rendered from the stored chunks when first downloaded (a chunk that kept no
    /// row still writes its header-only CSV fragment, whose columns its stored rows could not give).
    /// </summary>
    private void AddBlockOutput(UnitOutputFile file, WorkflowPlan plan, PlannedBlock block, RunOptions runOptions, int chunk,
        List<Row> rows, IReadOnlyList<RejectedRow> rejects, Func<IReadOnlyList<string>> columnsWhenEmpty)
    {
        var output = new RowChunk(chunk, rows);
        var filesNow = rows.Count == 0 || !Materialization.FilesDeferred(plan, block, _materializeAll);
        int start;
        if (filesNow)
        {
            start = file.StartSection();
            CsvFragments.Render(file.Payload, rows.Count > 0 ? output.Columns() : columnsWhenEmpty(), rows, _options.CsvFormulaGuard);
            file.EndSection(block.Id, SectionKind.Csv, start);
            if (runOptions.Formats.Contains(ResultFormat.Ndjson) || runOptions.Formats.Contains(ResultFormat.Json))
            {
                start = file.StartSection();
                ChunkFormat.WriteNdjson(file.Payload, rows);
                file.EndSection(block.Id, SectionKind.Ndjson, start);
            }
        }

        if (rejects.Count > 0 && !Materialization.RejectsDeferred(plan, block, _materializeAll))
        {
            start = file.StartSection();
            RejectsFormat.Write(file.Payload, block.Id, rejects);
            file.EndSection(block.Id, SectionKind.Rejects, start);
        }

        if (Segments.StoresChunks(plan, block))
        {
            start = file.StartSection();
            ChunkFormat.Write(file.Payload, output);
            file.EndSection(block.Id, SectionKind.Chunk, start);
        }
    }

    /// <summary>Commits under the unit's lease; null (after logging it) when the lease was lost and nothing was written.</summary>
    private async Task<CommitResult?> CommitAsync(ClaimedUnit unit, UnitCommit commit, CancellationToken cancellationToken)
    {
        var result = await store.CommitUnitAsync(unit, commit, time.GetUtcNow(), cancellationToken);
        if (result.Committed)
        {
            return result;
        }

        LogLeaseLost(logger, unit.Key.RunId, unit.Key);
        return null;
    }

    /// <summary>The metrics of one committed chunk of one block (once per chunk, never per row).</summary>
    private void CountCommitted(PlannedBlock block, UnitCounters counters) =>
        metrics.ChunkCommitted(block.Type.Name, counters.RowsIn, counters.RowsRejected, counters.RowsFailed);

    private async Task AfterChunkCommitAsync(RunRecord run, WorkflowPlan plan, PlannedBlock block, CommitResult result, CancellationToken cancellationToken)
    {
        if (result.Committed && result.SourceChunkCount is int sourceChunks && result.BlockChunksDone >= ChunkCounts.Total(plan, block, sourceChunks))
        {
            await coordinator.ReconcileAsync(run.Id, cancellationToken);
        }

        LogChunkCommitted(logger, run.Id, block.Id, result.BlockChunksDone);
    }

    [LoggerMessage(EventId = LogEvents.ChunkCommitted, Level = LogLevel.Debug, Message = "Run {RunId}: block {BlockId} has {ChunksDone} chunks committed")]
    private static partial void LogChunkCommitted(ILogger logger, Guid runId, string blockId, int chunksDone);

    [LoggerMessage(EventId = LogEvents.UnitWorkDiscarded, Level = LogLevel.Warning, Message = "Run {RunId}: unit {Unit} lost its lease; its work was discarded")]
    private static partial void LogLeaseLost(ILogger logger, Guid runId, UnitKey unit);

    [LoggerMessage(EventId = LogEvents.StalePauseIgnored, Level = LogLevel.Information, Message = "Unit {Unit} asked for a pause after the run was resumed without it; not paused: {Reason}")]
    private static partial void LogStalePauseIgnored(ILogger logger, UnitKey unit, string reason);

    [LoggerMessage(EventId = LogEvents.SourceDone, Level = LogLevel.Information, Message = "Run {RunId}: source block {BlockId} produced {Chunks} chunks ({Rows} rows, {Rejects} rejects)")]
    private static partial void LogSourceDone(ILogger logger, Guid runId, string blockId, int chunks, long rows, long rejects);
}

using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Rows;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.Execution;
using Enrichflow.Engine.Results;
using Enrichflow.Engine.States;

namespace Enrichflow.Engine.Interactive;

/// <summary>
/// Interactive sessions (docs/api.md §12, docs/architecture.md §3.1): a run whose definition grows a block at a time.
/// The session is an ordinary run with <see cref="RunOptions.Interactive"/> set; an added block is written into the
/// run's stored definition (compare and set) with its block record, and the coordinator schedules its units over
/// the parent's committed chunks. The run does not finalize until the session is finished.
/// </summary>
public sealed class InteractiveRuns(
    IRunStore store,
    IBlobStore blobs,
    IAccountStore accounts,
    RunPlans plans,
    RunLauncher launcher,
    RunCoordinator coordinator,
    TimeProvider time)
{
    /// <summary>The <c>workflow_id</c> every session's run carries (a reserved workflow id: no workflow has it).</summary>
    public const string WorkflowId = "interactive";

    public const string WorkflowName = "Interactive session";

    /// <summary>The id of a session's source block, as a definition without ids names its first block.</summary>
    public const string SourceBlockId = "block_1";

    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _locks = new();
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _lastCalls = new();

    /// <summary>A session's first definition: its source block alone.</summary>
    public static string SourceDefinition(string blockName, JsonElement specs) =>
        new JsonObject
        {
            ["blocks"] = new JsonArray(BlockNode(1, SourceBlockId, blockName, specs)),
            ["edges"] = new JsonArray(),
        }.ToJsonString();

    /// <summary>True when the run is an interactive session's.</summary>
    public static bool IsSession(RunRecord run) => run.WorkflowId == WorkflowId && RunOptions.FromJson(run.OptionsJson).Interactive is not null;

    /// <summary>Queues the session's run; its source runs at once, like any run's. NDJSON is always written (the block outputs' format).</summary>
    public async Task<RunRecord> StartAsync(Guid runId, string orgId, string definitionJson, WorkflowPlan plan, RunOptions options, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var workflow = new WorkflowRecord(WorkflowId, orgId, WorkflowName, "", WorkflowStatus.Active, WorkflowStep.Draft, now, now, null, 0, definitionJson);
        var formats = options.Formats.Contains(ResultFormat.Ndjson) ? options.Formats : [.. options.Formats, ResultFormat.Ndjson];
        var run = await launcher.QueueAsync(runId, workflow, plan, options with { Formats = formats, Interactive = new InteractiveSession() }, cancellationToken);
        Touch(runId);
        return run;
    }

    /// <summary>Records a call to the session (the idle clock restarts).</summary>
    public void Touch(Guid runId) => _lastCalls[runId] = time.GetUtcNow();

    /// <summary>
    /// Validates <paramref name="blockName"/> with <paramref name="specs"/> as the child of <paramref name="parentBlockId"/>
    /// against the chain so far and the columns of the parent's rows, then adds it to the run.
    /// </summary>
    public async Task<AddBlockOutcome> AddBlockAsync(Guid runId, string blockName, JsonElement specs, string parentBlockId, CancellationToken cancellationToken)
    {
        var gate = _locks.GetOrAdd(runId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            Touch(runId);
            var run = await store.GetRunAsync(runId, cancellationToken) ?? throw new InvalidOperationException($"Run {runId} does not exist.");
            if (Closed(run) is { } closed)
            {
                return AddBlockOutcome.Closed(closed);
            }

            var definition = JsonNode.Parse(run.DefinitionJson)!.AsObject();
            var blocks = definition["blocks"]!.AsArray();
            var ids = blocks.Select(b => (string)b!["block_id"]!).ToList();
            if (!ids.Contains(parentBlockId, StringComparer.Ordinal))
            {
                return AddBlockOutcome.Refused($"parent_block_id '{parentBlockId}' is not a block of this session (its blocks: {string.Join(", ", ids)}).");
            }

            var sequence = blocks.Max(b => (int)b!["sequence_number"]!) + 1;
            var blockId = $"block_{sequence}";
            blocks.Add(BlockNode(sequence, blockId, blockName, specs));
            definition["edges"]!.AsArray().Add(new JsonObject { ["from_block_id"] = parentBlockId, ["to_block_id"] = blockId });
            var definitionJson = definition.ToJsonString();

            using var document = JsonDocument.Parse(definitionJson);
            var compiled = plans.Compile(document.RootElement, null, out var errors);
            if (compiled is null)
            {
                return AddBlockOutcome.Refused(string.Join(" ", errors.Select(e => e.Msg)));
            }

            // As the run's own plan is: no block fuses with its parent, so each block's chunks are under its own id.
            var plan = new WorkflowPlan(compiled.Blocks) { Extensible = true };

            var added = plan[blockId];
            if (await ColumnProblemAsync(run, plan, added, parentBlockId, cancellationToken) is { } problem)
            {
                return AddBlockOutcome.Refused(problem);
            }

            var record = new RunBlockRecord(runId, blockId, added.Type.Name, sequence, added.Position, BlockStates.Table.Initial, UpdatedAt: time.GetUtcNow());
            if (!await store.ExtendRunAsync(runId, run.DefinitionJson, definitionJson, record, cancellationToken))
            {
                return AddBlockOutcome.Refused($"Interactive session {runId} changed while block '{blockId}' was being added; add it again.");
            }

            await coordinator.ReconcileAsync(runId, cancellationToken);
            coordinator.NotifyWork();
            return AddBlockOutcome.Accepted(blockId);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Stops the session taking blocks; the run then completes once its blocks have. Returns the run's status.</summary>
    public async Task<RunStatus> FinishAsync(Guid runId, CancellationToken cancellationToken)
    {
        var gate = _locks.GetOrAdd(runId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var run = await store.GetRunAsync(runId, cancellationToken) ?? throw new InvalidOperationException($"Run {runId} does not exist.");
            var options = RunOptions.FromJson(run.OptionsJson);
            if (options.HoldsOpen)
            {
                await store.UpdateRunOptionsAsync(runId, (options with { Interactive = new InteractiveSession(Open: false) }).ToJson(), cancellationToken);
                plans.Forget(runId);
                await coordinator.ReconcileAsync(runId, cancellationToken);
            }

            _lastCalls.TryRemove(runId, out _);
            return (await store.GetRunAsync(runId, cancellationToken))!.Status;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Finishes every open session with no call for <paramref name="idle"/> (a session first seen now starts its idle clock now).</summary>
    public async Task<int> FinishIdleAsync(TimeSpan idle, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var open = new HashSet<Guid>();
        var finished = 0;
        foreach (var run in await store.ListRunsByStatusAsync([RunStatus.Queued, RunStatus.Running, RunStatus.Paused], cancellationToken))
        {
            if (run.WorkflowId != WorkflowId || !RunOptions.FromJson(run.OptionsJson).HoldsOpen)
            {
                continue;
            }

            open.Add(run.Id);
            if (now - _lastCalls.GetOrAdd(run.Id, now) >= idle)
            {
                await FinishAsync(run.Id, cancellationToken);
                finished++;
            }
        }

        foreach (var runId in _lastCalls.Keys.Where(id => !open.Contains(id)))
        {
            _lastCalls.TryRemove(runId, out _);
        }

        foreach (var runId in _locks.Keys.Where(id => !open.Contains(id)))
        {
            _locks.TryRemove(runId, out _);
        }

        return finished;
    }

    /// <summary>
    /// A block's output as an upload handle (its NDJSON result file, so values keep their types), made once per
    /// block; or why there is none yet.
    /// </summary>
    public async Task<BlockOutputOutcome> OutputAsync(RunRecord run, string blockId, CancellationToken cancellationToken)
    {
        Touch(run.Id);
        var block = (await store.GetRunBlocksAsync(run.Id, cancellationToken)).FirstOrDefault(b => b.BlockId == blockId);
        if (block is null)
        {
            return new BlockOutputOutcome(null, $"Block '{blockId}' not found in interactive session {run.Id}");
        }

        var file = (await store.ListResultFilesAsync(run.Id, cancellationToken)).FirstOrDefault(f => f.BlockId == blockId && f.Format == ResultFormat.Ndjson);
        if (file is null)
        {
            return new BlockOutputOutcome(block, block.Status is BlockStatus.Pending or BlockStatus.Running
                ? $"Block '{blockId}' is still {block.Status.ToWire()} ({block.RowsOut} rows so far); its output is ready once its status in /state is completed."
                : $"Block '{blockId}' is {block.Status.ToWire()} and has no output.");
        }

        var handle = OutputHandle(run.Id, blockId);
        if (await accounts.GetUploadAsync(run.OrgId, handle, cancellationToken) is null)
        {
            await accounts.AddUploadAsync(new UploadRecord(handle, run.OrgId, file.FileName, file.BlobKey, file.FileSize, time.GetUtcNow()), cancellationToken);
        }

        return new BlockOutputOutcome(block, null, new BlockOutput(blockId, handle, file.RowCount));
    }

    /// <summary>The definition of the chain from the session's source to <paramref name="blockId"/>; null when the session has no such block.</summary>
    public static string? ChainDefinition(RunRecord run, string blockId)
    {
        var definition = JsonNode.Parse(run.DefinitionJson)!.AsObject();
        var blocks = definition["blocks"]!.AsArray().ToDictionary(b => (string)b!["block_id"]!, b => b!, StringComparer.Ordinal);
        if (!blocks.ContainsKey(blockId))
        {
            return null;
        }

        var parents = definition["edges"]!.AsArray().ToDictionary(e => (string)e!["to_block_id"]!, e => (string)e!["from_block_id"]!, StringComparer.Ordinal);
        var chain = new List<string> { blockId };
        while (parents.TryGetValue(chain[^1], out var parent))
        {
            chain.Add(parent);
        }

        chain.Reverse();
        var edges = new JsonArray();
        for (var i = 1; i < chain.Count; i++)
        {
            edges.Add(new JsonObject { ["from_block_id"] = chain[i - 1], ["to_block_id"] = chain[i] });
        }

        return new JsonObject
        {
            ["blocks"] = new JsonArray([.. chain.Select(id => blocks[id].DeepClone())]),
            ["edges"] = edges,
        }.ToJsonString();
    }

    /// <summary>Why the session takes no more blocks; null while it does.</summary>
    public static string? Closed(RunRecord run) =>
        run.Status.IsTerminal()
            ? $"Interactive session {run.Id} is {run.Status.ToWire()}; it takes no more blocks."
            : RunOptions.FromJson(run.OptionsJson).HoldsOpen ? null : $"Interactive session {run.Id} is finished; it takes no more blocks.";

    /// <summary>The upload handle of a block's output: the same for the same run and block, so asking twice makes one upload.</summary>
    public static Guid OutputHandle(Guid runId, string blockId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"interactive-output/{runId:N}/{blockId}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80); // version 8 (custom), RFC 9562
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }

    private static JsonObject BlockNode(int sequence, string blockId, string blockName, JsonElement specs) => new()
    {
        ["sequence_number"] = sequence,
        ["block_type"] = blockName,
        ["block_name"] = blockName,
        ["block_id"] = blockId,
        ["specs"] = JsonNode.Parse(specs.GetRawText()),
    };

    /// <summary>A column the added block reads that the parent's rows lack (read from the parent's first committed chunk with rows); null when none, or no row is committed yet.</summary>
    private async Task<string?> ColumnProblemAsync(RunRecord run, WorkflowPlan plan, PlannedBlock added, string parentBlockId, CancellationToken cancellationToken)
    {
        if (added.Compiled.ReadsColumns.Count == 0)
        {
            return null;
        }

        var committed = (await store.ListChunkOutputsAsync(run.Id, parentBlockId, cancellationToken)).FirstOrDefault(c => c.RowsOut > 0);
        if (committed.RowsOut == 0)
        {
            return null;
        }

        var parent = plan[parentBlockId];
        var key = BlobKeys.UnitOutput(run.Id, Segments.HeadOf(plan, parent).Id, committed.Chunk, committed.OutputTag);
        using var bytes = await UnitOutputFile.ReadSectionAsync(blobs, key, parentBlockId, SectionKind.Chunk, cancellationToken);
        if (bytes is null)
        {
            return null;
        }

        var columns = ChunkFormat.Parse(bytes.WrittenSpan).Columns();
        var missing = added.Compiled.ReadsColumns.Where(c => !columns.Contains(c, StringComparer.Ordinal)).ToList();
        return missing.Count == 0
            ? null
            : $"Block '{added.Id}' ({added.Type.Name}) reads column '{missing[0]}', which the rows of '{parentBlockId}' lack (their columns: {string.Join(", ", columns)}).";
    }
}

/// <summary>What an add-block call came to: accepted with the new block's id, refused with the reason (the session goes on), or the session is closed.</summary>
public sealed record AddBlockOutcome(bool IsAccepted, string? BlockId, string? Error, string? ClosedReason)
{
    public static AddBlockOutcome Accepted(string blockId) => new(true, blockId, null, null);

    public static AddBlockOutcome Refused(string error) => new(false, null, error, null);

    public static AddBlockOutcome Closed(string reason) => new(false, null, null, reason);
}

/// <summary>A block's output as an upload handle (docs/api.md §12 <c>BlockOutputResponse</c>).</summary>
public sealed record BlockOutput(string BlockId, Guid ResourceHandleId, long RowCount);

/// <summary>The block (null when unknown), the reason it has no output yet, or its output.</summary>
public sealed record BlockOutputOutcome(RunBlockRecord? Block, string? Problem, BlockOutput? Output = null);

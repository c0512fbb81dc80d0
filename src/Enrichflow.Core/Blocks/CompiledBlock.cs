using Enrichflow.Core.Rows;

namespace Enrichflow.Core.Blocks;

/// <summary>A block whose specs were checked: what the validator needs to know about it, and its work.</summary>
public abstract class CompiledBlock
{
    /// <summary>Columns the block reads from each row (checked against a declared <c>input_schema</c>).</summary>
    public virtual IReadOnlyList<string> ReadsColumns => [];

    /// <summary>
    /// The columns the block's specs name, checked before the run against the columns known at the block and during
    /// it against each chunk's (docs/api.md §2.1). By default one per <see cref="ReadsColumns"/> entry, its place in the
    /// specs found by the validator; override it to give the places, an input of a merge, or columns only dropped.
    /// </summary>
    public virtual IReadOnlyList<ColumnReference> ColumnReferences => [.. ReadsColumns.Select(c => new ColumnReference(c))];

    /// <summary>Columns the block adds to each row.</summary>
    public virtual IReadOnlyList<string> AddsColumns => [];

    /// <summary>Columns the block removes from each row.</summary>
    public virtual IReadOnlyList<string> RemovesColumns => [];

    /// <summary>
    /// The columns of the block's output rows given its input's, or null when they cannot be known before the
    /// run (a converter that builds rows from list entries): checks of later blocks' columns then stop.
    /// </summary>
    public virtual IReadOnlyList<string>? OutputColumns(IReadOnlyList<string> input) =>
        [.. input.Except(RemovesColumns, StringComparer.Ordinal).Concat(AddsColumns).Distinct(StringComparer.Ordinal)];

    /// <summary>
    /// True when running the block again over the same input rows gives the same rows, rejects and failures, byte for
    /// byte: no provider, DNS, store, clock or randomness. The engine then need not write the block's result files
    /// during the run: it renders them later by running the block again over its input's stored chunk
    /// (docs/api.md §3.1, <c>Results:Materialize</c>). Only row blocks are run again.
    /// </summary>
    public virtual bool Recomputable => false;

    /// <summary>The notebooks the block reads or writes; a run is refused before it is queued when an existing one is missing.</summary>
    public virtual IReadOnlyList<NotebookReference> ReferencedNotebooks => [];

    /// <summary>The event the block has the host send when its run ends; null for none.</summary>
    public virtual RunEndNotice? RunEndNotice => null;

    /// <summary>
    /// Called once the block's run has ended (completed, failed or cancelled), after its result files are written:
    /// the place to forget what the block kept for the run in the store. It may be called twice, or not at all when
    /// the process died in between, so it must be safe to repeat and to miss.
    /// </summary>
    public virtual ValueTask OnRunEndedAsync(BlockRunEndContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary>
/// A block that turns each input chunk into an output chunk; pure over the chunk. The block owns the rows of
/// its input: it may edit them in place and emit them (the engine has already written what the upstream block
/// produced and never reads those rows again).
/// </summary>
public abstract class RowBlock : CompiledBlock
{
    public abstract ValueTask ProcessAsync(RowChunk input, ChunkOutput output, BlockRunContext context, CancellationToken cancellationToken);
}

/// <summary>
/// A block that must see its whole input before it can emit a row (deduplicate keeping the first or last
/// occurrence, later the build side of a join). The engine runs it in two passes over the same chunks:
/// <see cref="ObserveAsync"/> over every chunk, in any order and in parallel, recording what it must know in the
/// store (never in process memory); then, once every chunk was observed, <see cref="ProcessAsync"/> over every
/// chunk, emitting rows. Both passes must be safe to repeat (a unit may run twice).
/// </summary>
public abstract class TwoPhaseBlock : CompiledBlock
{
    public abstract ValueTask ObserveAsync(RowChunk input, BlockRunContext context, CancellationToken cancellationToken);

    public abstract ValueTask ProcessAsync(RowChunk input, ChunkOutput output, BlockRunContext context, CancellationToken cancellationToken);
}

/// <summary>
/// A block with two or more inputs (<c>merge</c>). The engine runs it once per chunk of each input, after every
/// input has finished, and numbers its output chunks input by input (all of the first input's chunks, then the
/// second's), so its result keeps that order.
/// </summary>
public abstract class MergeBlock : CompiledBlock
{
    /// <summary>
    /// True for a join: the engine first has <see cref="ObserveAsync"/> see every chunk of both inputs (as each is
    /// committed, in any order and in parallel; the block keeps what it needs in the blob store, never in process
    /// memory), then runs <see cref="ProcessAsync"/> over the first input's chunks only, one output chunk each.
    /// </summary>
    public virtual bool HasBuildSide => false;

    /// <summary>The first pass of a join over one chunk of input <paramref name="inputIndex"/>; must be safe to repeat.</summary>
    public virtual ValueTask ObserveAsync(int inputIndex, RowChunk input, BlockRunContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public abstract ValueTask ProcessAsync(int inputIndex, RowChunk input, ChunkOutput output, BlockRunContext context, CancellationToken cancellationToken);
}

/// <summary>A block that produces a run's rows from its input (a webhook payload or an upload).</summary>
public abstract class SourceBlock : CompiledBlock
{
    /// <summary>The row kind the source declares (<c>specs.dataframe_type</c>); null when undeclared.</summary>
    public virtual DataframeType? DeclaredType => null;

    /// <summary>The columns the source declares (<c>specs.input_schema</c>); null when undeclared.</summary>
    public virtual IReadOnlyList<string>? DeclaredColumns => null;

    /// <summary>
    /// The columns of a sample of the input kept with the definition (a webhook's <c>webhook_input</c>); null when there
    /// is none. Without <see cref="DeclaredColumns"/>, the columns the blocks' specs name are checked against these.
    /// </summary>
    public virtual IReadOnlyList<string>? SampleColumns => null;

    /// <summary>The kind of input the source reads.</summary>
    public abstract SourceInputKind InputKind { get; }

    /// <summary>The upload a source of <see cref="SourceInputKind.Upload"/> reads, from its specs; null when none is given.</summary>
    public virtual string? UploadHandle => null;

    /// <summary>
    /// For a source of <see cref="SourceInputKind.WebhookPayload"/>: scans a stored run request body without
    /// materialising rows (elements, the first that is not an object, the other top-level fields). Throws
    /// <see cref="PayloadFormatException"/> on malformed JSON.
    /// </summary>
    public virtual Task<PayloadScan> ScanPayloadAsync(Stream body, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"A source of {InputKind} does not read a run payload.");

    /// <summary>
    /// For a source of <see cref="SourceInputKind.WebhookPayload"/>: checks the stored payload before the run is
    /// queued, so a payload the run would fail on (a strict source) is refused with a sentence naming the element,
    /// or null when the run may start. Reads the payload only when there is something to check.
    /// </summary>
    public virtual ValueTask<string?> CheckPayloadAsync(SourceInput payload, string blockId, CancellationToken cancellationToken) =>
        ValueTask.FromResult<string?>(null);

    /// <summary>
    /// Streams the input as rows and rejects, in input order. A fatal problem (strict mode) throws
    /// <see cref="SourceFormatException"/>.
    /// </summary>
    public abstract IAsyncEnumerable<SourceRecord> ReadAsync(SourceInput input, BlockRunContext context, CancellationToken cancellationToken);
}

public enum SourceInputKind
{
    /// <summary>The run request's <c>webhook_payload</c>.</summary>
    WebhookPayload,

    /// <summary>An uploaded file (<c>resource_handle_id</c>).</summary>
    Upload,

    /// <summary>Data the block finds itself (a notebook); the run has no input of its own.</summary>
    Notebook,
}

/// <summary>The stored input of a run.</summary>
public sealed class SourceInput
{
    /// <summary>Opens the input from the start.</summary>
    public required Func<CancellationToken, Task<Stream>> OpenAsync { get; init; }

    /// <summary>The uploaded file's name (its extension gives the format); null for a webhook payload.</summary>
    public string? FileName { get; init; }
}

/// <summary>One item a source yields: a row, or a reject of the input record at that position.</summary>
public readonly record struct SourceRecord(Row? Row, RejectedRow? Reject)
{
    public static SourceRecord Of(Row row) => new(row, null);

    public static SourceRecord Rejected(RejectedRow reject) => new(null, reject);
}

/// <summary>A row that left the flow at a block, with the reason (one line of <c>rejects.ndjson</c>).</summary>
public sealed record RejectedRow(long RowIndex, string Reason, Row? Row)
{
    /// <summary>The input line (1-based, header is line 1) for source rejects.</summary>
    public long? Line { get; init; }

    /// <summary>The raw input text when the record could not be read as a row.</summary>
    public string? Raw { get; init; }

    /// <summary>True when the row failed (an error) rather than being filtered out.</summary>
    public bool Failed { get; init; }

    /// <summary>The edge whose condition dropped the row, as "from->to".</summary>
    public string? Edge { get; init; }

    /// <summary>More about why, written as extra fields of the rejects line (e.g. the key and the kept row of a duplicate).</summary>
    public IReadOnlyDictionary<string, object?>? Details { get; init; }
}

/// <summary>A source's input cannot be read; names the line where it can.</summary>
public sealed class SourceFormatException(string message, long? line = null) : Exception(message)
{
    public long? Line { get; } = line;

    /// <summary>True when the problem is a record over <see cref="InputLimits.MaxRecordBytes"/> (a 413 at upload).</summary>
    public bool TooLarge { get; init; }
}

/// <summary>What a block writes for one chunk: the rows it passes on and the rows it drops.</summary>
public sealed class ChunkOutput(int capacity)
{
    public List<Row> Rows { get; } = new(capacity);

    public List<RejectedRow> Rejects { get; } = [];

    public int FailedCount { get; private set; }

    public void Emit(Row row) => Rows.Add(row);

    public void Reject(Row row, string reason) => Rejects.Add(new RejectedRow(row.Index, reason, row));

    public void Fail(Row row, string reason)
    {
        Rejects.Add(new RejectedRow(row.Index, reason, row) { Failed = true });
        FailedCount++;
    }
}

/// <summary>Where a block runs: which run and block, and the services it may use.</summary>
public sealed class BlockRunContext
{
    public required Guid RunId { get; init; }

    public required string OrgId { get; init; }

    public required string BlockId { get; init; }

    /// <summary>The workflow the run belongs to.</summary>
    public string WorkflowId { get; init; } = "";

    public required IServiceProvider Services { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// Called by a block about to spend its time waiting on remote calls (enrichment): its unit stops counting
    /// against <c>Engine:Workers</c>, which are for CPU work, and counts against <c>Engine:IoWorkers</c> instead, so a
    /// long enrichment never starves other runs. Null when the host has no such pools; calling it twice is harmless.
    /// </summary>
    public Func<CancellationToken, ValueTask>? WaitsOnRemoteCalls { get; init; }

    /// <summary>
    /// Tells live status that this many more rows of the chunk are done, before the unit commits (a block whose
    /// chunk takes minutes); null when nobody listens.
    /// </summary>
    public Action<int>? ReportRowsDone { get; init; }

    /// <summary>The run's provider cache and budget settings (docs/api.md §3 <c>cache_config</c>, <c>max_credits</c>).</summary>
    public RunEnrichmentSettings Enrichment { get; init; } = new();
}

/// <summary>How a run may use enrichment providers: the cache (on, and how old an answer may be) and its credit budget.</summary>
public sealed record RunEnrichmentSettings(bool CacheEnabled = true, int CacheTtlDays = 30, double? MaxCredits = null);

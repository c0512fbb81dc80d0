namespace Enrichflow.Core.Storage;

/// <summary>
/// Runs, their blocks, work units and result files: everything the engine records. Holds metadata only;
/// row data lives in the <see cref="IBlobStore"/>.
/// </summary>
public interface IRunStore
{
    /// <summary>Adds a run and its blocks, without units (tests set up a run's state with it; a new run is added by the overload below).</summary>
    Task CreateRunAsync(RunRecord run, IReadOnlyList<RunBlockRecord> blocks, CancellationToken cancellationToken);

    /// <summary>
    /// Adds a new run with its blocks and first units in one transaction, so a crash leaves the run whole or absent.
    /// With <paramref name="idempotency"/>, the same transaction reserves its key: when the organization's key is held by
    /// a record created at or after <see cref="IdempotencyReservation.ExpiredBefore"/>, nothing is added and that record
    /// is answered (of racing requests with one key, exactly one adds its run); an older record is replaced.
    /// </summary>
    Task<RunCreation> CreateRunAsync(QueuedRun run, IdempotencyReservation? idempotency, CancellationToken cancellationToken);

    Task<RunRecord?> GetRunAsync(Guid runId, CancellationToken cancellationToken);

    /// <summary>The organization's runs matching the query, <c>queued_at</c> descending.</summary>
    Task<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken);

    /// <summary>Runs in any of <paramref name="statuses"/>, oldest first (used to resume runs after a restart).</summary>
    Task<IReadOnlyList<RunRecord>> ListRunsByStatusAsync(IReadOnlyList<RunStatus> statuses, CancellationToken cancellationToken);

    /// <summary>
    /// Moves a run to <paramref name="to"/> when its status is one of <paramref name="from"/> (compare and set).
    /// Sets <c>started_at</c> on entering running (first time only) and <c>completed_at</c> on a terminal status.
    /// Returns false when the run was in another status.
    /// </summary>
    Task<bool> TransitionRunAsync(Guid runId, IReadOnlyList<RunStatus> from, RunStatus to, DateTimeOffset now, string? statusReason, string? errorMessage, CancellationToken cancellationToken);

    /// <summary>Raises the run's stored progress to <paramref name="percent"/> if higher; returns the stored value.</summary>
    Task<int> RaiseProgressAsync(Guid runId, int percent, CancellationToken cancellationToken);

    Task<IReadOnlyList<RunBlockRecord>> GetRunBlocksAsync(Guid runId, CancellationToken cancellationToken);

    /// <summary>
    /// Moves a block to <paramref name="to"/> when its status is one of <paramref name="from"/> (compare and set).
    /// Sets <c>started_at</c> on first entering running and <c>completed_at</c> on an end state. Returns false when
    /// the block was in another status.
    /// </summary>
    Task<bool> TransitionBlockAsync(Guid runId, string blockId, IReadOnlyList<BlockStatus> from, BlockStatus to, DateTimeOffset now, string? errorMessage, CancellationToken cancellationToken);

    /// <summary>Adds pending units where absent.</summary>
    Task EnqueueUnitsAsync(IReadOnlyList<UnitKey> units, CancellationToken cancellationToken);

    /// <summary>
    /// Claims the next ready unit of a running run: pending, or running with an expired lease. Prefers lower
    /// chunk numbers, then later blocks, so rows flow through the pipeline. Returns null when none is ready.
    /// </summary>
    Task<ClaimedUnit?> ClaimUnitAsync(string owner, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Like <see cref="ClaimUnitAsync(string, TimeSpan, DateTimeOffset, CancellationToken)"/>, passing over the units of the
    /// blocks in <paramref name="skip"/> (the dispatcher's I/O pool is full: units that would wait on remote calls can wait).
    /// </summary>
    Task<ClaimedUnit?> ClaimUnitAsync(string owner, TimeSpan lease, DateTimeOffset now, IReadOnlyCollection<UnitHead> skip, CancellationToken cancellationToken);

    /// <summary>Extends a lease; false when it was lost.</summary>
    Task<bool> RenewLeaseAsync(ClaimedUnit unit, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Commits a unit's outcome, fenced by its lease (see <see cref="UnitCommit"/>).</summary>
    Task<CommitResult> CommitUnitAsync(ClaimedUnit unit, UnitCommit commit, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Marks a leased unit failed with a reason; false when the lease was lost.</summary>
    Task<bool> FailUnitAsync(ClaimedUnit unit, string error, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Makes every running unit's lease expire now (the embedded server calls this at start: it is the only node).</summary>
    Task ExpireAllLeasesAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the run's failed units, and the running units its pause or failure stopped, pending again (resume).
    /// A stopped unit that still commits later is refused: its lease is gone.
    /// </summary>
    Task RetryFailedUnitsAsync(Guid runId, CancellationToken cancellationToken);

    /// <summary>
    /// Grows a run (an interactive session, docs/api.md §12): replaces its definition with
    /// <paramref name="definitionJson"/> and adds <paramref name="block"/>, in one transaction and only while the stored
    /// definition is still <paramref name="expectedDefinitionJson"/> (compare and set). False when it is not, or the run does not exist.
    /// </summary>
    Task<bool> ExtendRunAsync(Guid runId, string expectedDefinitionJson, string definitionJson, RunBlockRecord block, CancellationToken cancellationToken);

    /// <summary>Replaces the run's options (resume with a new <c>max_credits</c>).</summary>
    Task UpdateRunOptionsAsync(Guid runId, string optionsJson, CancellationToken cancellationToken);

    /// <summary>The chunk numbers of a block that are done.</summary>
    Task<IReadOnlyList<int>> ListDoneChunksAsync(Guid runId, string blockId, CancellationToken cancellationToken);

    /// <summary>How many units of this kind and block are done.</summary>
    Task<int> CountDoneAsync(Guid runId, UnitKind kind, string blockId, CancellationToken cancellationToken);

    /// <summary>The committed chunks of a block, ascending, with their row counts and output tags.</summary>
    Task<IReadOnlyList<ChunkOutputRecord>> ListChunkOutputsAsync(Guid runId, string blockId, CancellationToken cancellationToken);

    /// <summary>The committed output of one chunk unit, or null when it is not done.</summary>
    Task<ChunkOutputRecord?> GetChunkOutputAsync(UnitKey unit, CancellationToken cancellationToken);

    /// <summary>Counts the run's units by <see cref="UnitStatus"/>.</summary>
    Task<UnitCounts> CountUnitsAsync(Guid runId, CancellationToken cancellationToken);

    /// <summary>The whole store's runs by status and its units waiting and leased (for metrics: one grouped count each).</summary>
    Task<StoreActivity> CountActivityAsync(CancellationToken cancellationToken);

    /// <summary>True when the unit exists and is done.</summary>
    Task<bool> IsUnitDoneAsync(UnitKey unit, CancellationToken cancellationToken);

    /// <summary>Adds or replaces (by run and file name) a result file.</summary>
    Task PutResultFileAsync(ResultFileRecord file, CancellationToken cancellationToken);

    /// <summary>The run's result files in the order they were first added.</summary>
    Task<IReadOnlyList<ResultFileRecord>> ListResultFilesAsync(Guid runId, CancellationToken cancellationToken);
}

public readonly record struct UnitCounts(int Pending, int Running, int Done, int Failed)
{
    public int Total => Pending + Running + Done + Failed;
}

/// <summary>
/// A run request's <c>Idempotency-Key</c> to reserve with its run: the record to store (organization, key, the request's
/// fingerprint and the response it answers), and the time before which a stored record with the key has expired.
/// </summary>
public sealed record IdempotencyReservation(IdempotencyRecord Record, DateTimeOffset ExpiredBefore);

/// <summary>What <see cref="IRunStore.CreateRunAsync(QueuedRun, IdempotencyReservation?, CancellationToken)"/> did.</summary>
/// <param name="Held">Null when the run was added; else the unexpired record that holds the key (nothing was added).</param>
public sealed record RunCreation(IdempotencyRecord? Held)
{
    public static RunCreation Added { get; } = new((IdempotencyRecord?)null);

    public bool Created => Held is null;
}

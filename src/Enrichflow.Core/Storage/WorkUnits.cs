namespace Enrichflow.Core.Storage;

/// <summary>What a work unit does.</summary>
public enum UnitKind
{
    /// <summary>Reads the run's input and cuts it into chunks of the source block.</summary>
    Source = 0,

    /// <summary>Runs one block over one chunk.</summary>
    Chunk = 1,

    /// <summary>Assembles a finished block's result files from its chunks.</summary>
    Assemble = 2,

    /// <summary>Writes the run's rejects file and ends the run.</summary>
    Finalize = 3,

    /// <summary>First pass of a two-phase block over one chunk: it records what it must know of the whole input.</summary>
    Observe = 4,
}

/// <summary>Where a work unit is; the store keeps it as <see cref="RunStatuses.ToWire(UnitStatus)"/>.</summary>
public enum UnitStatus
{
    /// <summary>Ready to be claimed (new, or made ready again by a resume).</summary>
    Pending,

    /// <summary>Claimed under a lease; claimed again by another worker once the lease runs out.</summary>
    Running,

    /// <summary>Committed; its output counts, and it never runs again.</summary>
    Done,

    /// <summary>Given up; a resume makes it pending again.</summary>
    Failed,
}

/// <summary>
/// Identifies a unit: (run, kind, block, chunk). <see cref="Position"/> is the block's place in the plan
/// (topological order); it orders claims and is not part of the identity.
/// </summary>
public readonly record struct UnitKey(Guid RunId, UnitKind Kind, string BlockId, int Chunk, int Position = 0)
{
    public bool Equals(UnitKey other) =>
        RunId == other.RunId && Kind == other.Kind && BlockId == other.BlockId && Chunk == other.Chunk;

    public override int GetHashCode() => HashCode.Combine(RunId, Kind, BlockId, Chunk);

    public override string ToString() => $"{RunId}/{Kind}/{BlockId}/{Chunk}";
}

/// <summary>A block of a run, as the head of the units a claim may skip.</summary>
public readonly record struct UnitHead(Guid RunId, string BlockId);

/// <summary>A unit claimed under a lease; only the holder of <see cref="LeaseToken"/> may commit it.</summary>
public sealed record ClaimedUnit(UnitKey Key, Guid LeaseToken, int Attempt, DateTimeOffset LeaseExpiresAt);

/// <summary>Counters a committed chunk adds to its block.</summary>
public readonly record struct UnitCounters(long RowsIn, long RowsOut, long RowsRejected, long RowsFailed);

/// <summary>
/// One fenced commit. In one transaction, and only while the lease is still held: <see cref="Done"/> and every
/// <see cref="AlsoDone"/> unit are recorded as done (their counters are added to their blocks, and the lease
/// token is recorded as their output tag, the first time only), <see cref="Enqueue"/> units are added as pending
/// where absent, the leased unit itself is marked done when <see cref="FinishesLease"/>, and the run's source
/// chunk count is set when given.
/// </summary>
public sealed record UnitCommit(UnitKey Done)
{
    public UnitCounters Counters { get; init; }

    /// <summary>Further units finished by the same work (blocks fused into one unit), with their counters.</summary>
    public IReadOnlyList<(UnitKey Unit, UnitCounters Counters)> AlsoDone { get; init; } = [];

    public IReadOnlyList<UnitKey> Enqueue { get; init; } = [];

    public bool FinishesLease { get; init; } = true;

    public int? SourceChunkCount { get; init; }
}

/// <summary>The outcome of a commit.</summary>
/// <param name="Committed">False when the lease was lost: nothing was written.</param>
/// <param name="BlockChunksDone">The block's committed chunk count after the commit.</param>
/// <param name="SourceChunkCount">The run's source chunk count, when known.</param>
public readonly record struct CommitResult(bool Committed, int BlockChunksDone, int? SourceChunkCount);

/// <summary>A committed chunk of a block: how many rows it produced and the tag its output files carry.</summary>
public readonly record struct ChunkOutputRecord(int Chunk, long RowsOut, Guid OutputTag);

/// <summary>Every run of the store by status, and the units waiting to be claimed (pending) and running (leased).</summary>
public sealed record StoreActivity(IReadOnlyDictionary<RunStatus, long> RunsByStatus, long UnitsPending, long UnitsRunning);

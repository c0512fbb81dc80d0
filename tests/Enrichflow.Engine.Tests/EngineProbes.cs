using System.Collections.Concurrent;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;
using Enrichflow.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Enrichflow.Engine.Tests;

/// <summary>One time the <c>probe</c> block started on a chunk: <see cref="Attempt"/> counts from 1 per run and chunk.</summary>
public readonly record struct ProbeVisit(Guid RunId, int Chunk, int Attempt, long Sequence);

/// <summary>A block failure worth another attempt (not one of the permanent kinds).</summary>
public sealed class ProbeFailureException(string message) : Exception(message);

/// <summary>
/// Watches and steers the <c>probe</c> block: records every visit in start order, counts how many run at once,
/// and runs <see cref="OnChunk"/> on each chunk (a delay, a hang, a throw).
/// </summary>
public sealed class BlockProbe
{
    private readonly ConcurrentDictionary<(Guid RunId, int Chunk), int> _attempts = new();
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _sequence;
    private int _current;
    private int _max;

    /// <summary>What the block does before it passes a chunk's rows on; set it before queueing runs.</summary>
    public Func<ProbeVisit, CancellationToken, Task> OnChunk { get; set; } = (_, _) => Task.CompletedTask;

    /// <summary>Every visit, in the order they started.</summary>
    public ConcurrentQueue<ProbeVisit> Visits { get; } = new();

    /// <summary>Visits that ended because their cancellation token fired.</summary>
    public ConcurrentQueue<ProbeVisit> Cancelled { get; } = new();

    /// <summary>The most visits that were running at the same time.</summary>
    public int MaxConcurrent => Volatile.Read(ref _max);

    /// <summary>Completes when <see cref="ReleaseStuck"/> is called: a stuck worker awaits it, ignoring its token.</summary>
    public Task Stuck => _released.Task;

    public void ReleaseStuck() => _released.TrySetResult();

    public IReadOnlyList<ProbeVisit> VisitsOf(Guid runId) => [.. Visits.Where(v => v.RunId == runId)];

    internal async Task<ProbeVisit> VisitAsync(Guid runId, int chunk, CancellationToken cancellationToken)
    {
        var attempt = _attempts.AddOrUpdate((runId, chunk), 1, (_, n) => n + 1);
        var visit = new ProbeVisit(runId, chunk, attempt, Interlocked.Increment(ref _sequence));
        var now = Interlocked.Increment(ref _current);
        for (var max = Volatile.Read(ref _max); now > max; max = Volatile.Read(ref _max))
        {
            if (Interlocked.CompareExchange(ref _max, now, max) == max)
            {
                break;
            }
        }

        Visits.Enqueue(visit);
        try
        {
            await OnChunk(visit, cancellationToken);
            return visit;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Cancelled.Enqueue(visit);
            throw;
        }
        finally
        {
            Interlocked.Decrement(ref _current);
        }
    }
}

/// <summary>Specs of <c>probe</c>: none.</summary>
public sealed record ProbeSpecs;

/// <summary>
/// <c>probe</c>, a test block: lets <see cref="BlockProbe"/> act on each chunk, then passes every row on with a
/// column <c>probe_attempt</c> saying which attempt of its chunk produced it.
/// </summary>
public sealed class ProbeBlockType(BlockProbe probe) : BlockType<ProbeSpecs>
{
    public override string Name => "probe";

    public override string Description => "Test block: steered and watched by the test.";

    protected override CompiledBlock? Compile(ProbeSpecs specs, BlockCompileContext context) => new ProbeBlock(probe);

    private sealed class ProbeBlock(BlockProbe probe) : RowBlock
    {
        public override IReadOnlyList<string> AddsColumns => ["probe_attempt"];

        public override async ValueTask ProcessAsync(RowChunk input, ChunkOutput output, BlockRunContext context, CancellationToken cancellationToken)
        {
            var visit = await probe.VisitAsync(context.RunId, input.Index, cancellationToken);
            foreach (var row in input.Rows)
            {
                row["probe_attempt"] = (long)visit.Attempt;
                output.Emit(row);
            }
        }
    }
}

/// <summary>Faults injected between the engine and its run store.</summary>
public sealed class StoreFaults
{
    /// <summary>Runs before each lease renewal reaches the store: it may stall it (a frozen worker) or throw (a store error).</summary>
    public Func<ClaimedUnit, CancellationToken, Task> BeforeRenewal { get; set; } = (_, _) => Task.CompletedTask;

    /// <summary>Runs before each claim reaches the store: it may throw (a store error).</summary>
    public Func<Task> BeforeClaim { get; set; } = () => Task.CompletedTask;
}

/// <summary>The registered <see cref="IRunStore"/>, with <see cref="StoreFaults"/> applied.</summary>
public sealed class FaultInjectingRunStore(IRunStore inner, StoreFaults faults) : IRunStore
{
    /// <summary>Replaces the last <see cref="IRunStore"/> registration with this decorator around it.</summary>
    public static void Decorate(IServiceCollection services)
    {
        var registered = services.Last(d => d.ServiceType == typeof(IRunStore));
        services.Remove(registered);
        services.AddSingleton<IRunStore>(sp => new FaultInjectingRunStore(
            registered.ImplementationInstance as IRunStore
                ?? registered.ImplementationFactory?.Invoke(sp) as IRunStore
                ?? (IRunStore)ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!),
            sp.GetRequiredService<StoreFaults>()));
    }

    public async Task<bool> RenewLeaseAsync(ClaimedUnit unit, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await faults.BeforeRenewal(unit, cancellationToken);
        return await inner.RenewLeaseAsync(unit, lease, now, cancellationToken);
    }

    public Task CreateRunAsync(RunRecord run, IReadOnlyList<RunBlockRecord> blocks, CancellationToken cancellationToken) => inner.CreateRunAsync(run, blocks, cancellationToken);

    public Task<RunCreation> CreateRunAsync(QueuedRun run, IdempotencyReservation? idempotency, CancellationToken cancellationToken) => inner.CreateRunAsync(run, idempotency, cancellationToken);

    public Task<RunRecord?> GetRunAsync(Guid runId, CancellationToken cancellationToken) => inner.GetRunAsync(runId, cancellationToken);

    public Task<bool> ExtendRunAsync(Guid runId, string expectedDefinitionJson, string definitionJson, RunBlockRecord block, CancellationToken cancellationToken) =>
        inner.ExtendRunAsync(runId, expectedDefinitionJson, definitionJson, block, cancellationToken);

    public Task<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken) => inner.ListRunsAsync(query, cancellationToken);

    public Task<IReadOnlyList<RunRecord>> ListRunsByStatusAsync(IReadOnlyList<RunStatus> statuses, CancellationToken cancellationToken) =>
        inner.ListRunsByStatusAsync(statuses, cancellationToken);

    public Task<bool> TransitionRunAsync(Guid runId, IReadOnlyList<RunStatus> from, RunStatus to, DateTimeOffset now, string? statusReason, string? errorMessage, CancellationToken cancellationToken) =>
        inner.TransitionRunAsync(runId, from, to, now, statusReason, errorMessage, cancellationToken);

    public Task<int> RaiseProgressAsync(Guid runId, int percent, CancellationToken cancellationToken) => inner.RaiseProgressAsync(runId, percent, cancellationToken);

    public Task<IReadOnlyList<RunBlockRecord>> GetRunBlocksAsync(Guid runId, CancellationToken cancellationToken) => inner.GetRunBlocksAsync(runId, cancellationToken);

    public Task<bool> TransitionBlockAsync(Guid runId, string blockId, IReadOnlyList<BlockStatus> from, BlockStatus to, DateTimeOffset now, string? errorMessage, CancellationToken cancellationToken) =>
        inner.TransitionBlockAsync(runId, blockId, from, to, now, errorMessage, cancellationToken);

    public Task EnqueueUnitsAsync(IReadOnlyList<UnitKey> units, CancellationToken cancellationToken) => inner.EnqueueUnitsAsync(units, cancellationToken);

    public async Task<ClaimedUnit?> ClaimUnitAsync(string owner, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await faults.BeforeClaim();
        return await inner.ClaimUnitAsync(owner, lease, now, cancellationToken);
    }

    public async Task<ClaimedUnit?> ClaimUnitAsync(string owner, TimeSpan lease, DateTimeOffset now, IReadOnlyCollection<UnitHead> skip, CancellationToken cancellationToken)
    {
        await faults.BeforeClaim();
        return await inner.ClaimUnitAsync(owner, lease, now, skip, cancellationToken);
    }

    public Task<CommitResult> CommitUnitAsync(ClaimedUnit unit, UnitCommit commit, DateTimeOffset now, CancellationToken cancellationToken) =>
        inner.CommitUnitAsync(unit, commit, now, cancellationToken);

    public Task<bool> FailUnitAsync(ClaimedUnit unit, string error, DateTimeOffset now, CancellationToken cancellationToken) => inner.FailUnitAsync(unit, error, now, cancellationToken);

    public Task ExpireAllLeasesAsync(DateTimeOffset now, CancellationToken cancellationToken) => inner.ExpireAllLeasesAsync(now, cancellationToken);

    public Task RetryFailedUnitsAsync(Guid runId, CancellationToken cancellationToken) => inner.RetryFailedUnitsAsync(runId, cancellationToken);

    public Task UpdateRunOptionsAsync(Guid runId, string optionsJson, CancellationToken cancellationToken) => inner.UpdateRunOptionsAsync(runId, optionsJson, cancellationToken);

    public Task<IReadOnlyList<int>> ListDoneChunksAsync(Guid runId, string blockId, CancellationToken cancellationToken) => inner.ListDoneChunksAsync(runId, blockId, cancellationToken);

    public Task<IReadOnlyList<ChunkOutputRecord>> ListChunkOutputsAsync(Guid runId, string blockId, CancellationToken cancellationToken) =>
        inner.ListChunkOutputsAsync(runId, blockId, cancellationToken);

    public Task<ChunkOutputRecord?> GetChunkOutputAsync(UnitKey unit, CancellationToken cancellationToken) => inner.GetChunkOutputAsync(unit, cancellationToken);

    public Task<int> CountDoneAsync(Guid runId, UnitKind kind, string blockId, CancellationToken cancellationToken) =>
        inner.CountDoneAsync(runId, kind, blockId, cancellationToken);

    public Task<UnitCounts> CountUnitsAsync(Guid runId, CancellationToken cancellationToken) => inner.CountUnitsAsync(runId, cancellationToken);

    public Task<StoreActivity> CountActivityAsync(CancellationToken cancellationToken) => inner.CountActivityAsync(cancellationToken);

    public Task<bool> IsUnitDoneAsync(UnitKey unit, CancellationToken cancellationToken) => inner.IsUnitDoneAsync(unit, cancellationToken);

    public Task PutResultFileAsync(ResultFileRecord file, CancellationToken cancellationToken) => inner.PutResultFileAsync(file, cancellationToken);

    public Task<IReadOnlyList<ResultFileRecord>> ListResultFilesAsync(Guid runId, CancellationToken cancellationToken) => inner.ListResultFilesAsync(runId, cancellationToken);
}

/// <summary>Keeps the engine's log lines (information and up) for failure messages.</summary>
public sealed class LogSink : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    public void Dispose()
    {
    }

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            sink.Lines.Enqueue($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})")}");
        }
    }
}

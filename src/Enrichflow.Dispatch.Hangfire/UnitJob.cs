using Enrichflow.Core.Storage;
using Enrichflow.Engine;
using Enrichflow.Engine.Dispatch;
using Hangfire;
using Microsoft.Extensions.Options;

namespace Enrichflow.Dispatch.Hangfire;

/// <summary>What a Hangfire job carries: one claimed unit, by its key and the lease it was claimed under.</summary>
public sealed record UnitJobArgs(Guid RunId, UnitKind Kind, string BlockId, int Chunk, int Position, Guid LeaseToken, int Attempt, DateTimeOffset LeaseExpiresAt)
{
    public static UnitJobArgs Of(ClaimedUnit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        return new(unit.Key.RunId, unit.Key.Kind, unit.Key.BlockId, unit.Key.Chunk, unit.Key.Position, unit.LeaseToken, unit.Attempt, unit.LeaseExpiresAt);
    }

    public ClaimedUnit ToClaimed() => new(new UnitKey(RunId, Kind, BlockId, Chunk, Position), LeaseToken, Attempt, LeaseExpiresAt);
}

/// <summary>
/// The Hangfire job that runs one unit on whichever worker fetched it. The unit table decides, not Hangfire: a job
/// that starts late in the lease its unit was claimed under first renews it, and does nothing when that lease is gone
/// (the unit ran out its lease while the job waited and another attempt has it, or its run was cancelled); the
/// unit's commit is fenced by the lease in any case. Hangfire never retries a job: a failed unit is retried by the
/// store, as in the embedded engine.
/// </summary>
public sealed class UnitJob(UnitRunner runner, IRunStore store, IOptions<EngineOptions> options, TimeProvider time)
{
    private readonly EngineOptions _options = options.Value;

    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Delete)]
    public async Task RunAsync(UnitJobArgs unit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(unit);
        var claimed = unit.ToClaimed();
        await runner.RunInSlotAsync(claimed, async ct =>
        {
            // Within the first two thirds of its lease nobody else can hold the unit (the margin covers clock skew
            // between nodes); later, renewing it tells whether it is still this attempt's.
            var now = time.GetUtcNow();
            return now < claimed.LeaseExpiresAt - _options.Lease / 3 || await store.RenewLeaseAsync(claimed, _options.Lease, now, ct);
        }, cancellationToken);
    }
}

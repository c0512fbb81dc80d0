namespace Enrichflow.Core.Storage;

/// <summary>
/// Leases of background duties (docs/architecture.md §5): a duty that must happen once in the whole cluster (webhook
/// delivery, the scheduler, sweeps, clean-ups) is done only by the node holding its lease. A lease is taken for a
/// time to live and renewed before it runs out; a holder that dies stops renewing, and another node takes the duty
/// once the lease has expired. Every take by another holder starts a new <see cref="DutyLease.Epoch"/>, and a renew
/// or release names the epoch it holds, so a holder whose lease was taken over cannot renew it back (fencing).
/// </summary>
/// <remarks>
/// Whose clock decides expiry is the backend's: PostgreSQL compares against its own clock in SQL
/// (<c>clock_timestamp()</c>), so nodes whose clocks disagree still agree on who holds a duty; the SQLite store (one
/// machine) uses the <see cref="TimeProvider"/> it was made with.
/// </remarks>
public interface IDutyLeaseStore
{
    /// <summary>
    /// Takes <paramref name="duty"/>'s lease for <paramref name="holder"/> until <paramref name="ttl"/> from now, when
    /// nobody holds it, its lease expired or was released, or <paramref name="holder"/> holds it already (then the
    /// lease is extended under the same epoch). Null when another holder's lease is current. Of concurrent takers of
    /// a free duty exactly one gets it.
    /// </summary>
    Task<DutyLease?> TryTakeDutyAsync(string duty, string holder, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>
    /// Extends <paramref name="lease"/> until <paramref name="ttl"/> from now, when its holder still holds it under
    /// its epoch (even past its expiry, if nobody took it meanwhile). Null when the duty was taken over or released.
    /// </summary>
    Task<DutyLease?> RenewDutyAsync(DutyLease lease, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Ends <paramref name="lease"/> now, when its holder still holds it under its epoch, so another node may take the duty at once.</summary>
    Task ReleaseDutyAsync(DutyLease lease, CancellationToken cancellationToken);

    /// <summary>Who holds <paramref name="duty"/> now (for logs and tests); null when nobody does (never taken, released or expired).</summary>
    Task<DutyLease?> GetDutyAsync(string duty, CancellationToken cancellationToken);

    /// <summary>Ends every duty lease now (a node that is the only one calls this at start: the holders are gone).</summary>
    Task ReleaseAllDutiesAsync(CancellationToken cancellationToken);
}

/// <summary>A duty's lease: who holds it, under which epoch (it grows with every take by another holder), and until when by the store's clock.</summary>
public sealed record DutyLease(string Duty, string Holder, long Epoch, DateTimeOffset ExpiresAt);

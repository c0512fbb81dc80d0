using Enrichflow.Core.Storage;
using Npgsql;

namespace Enrichflow.Storage.Postgres;

/// <remarks>
/// Expiry is by the server's clock (<c>clock_timestamp()</c> in SQL), never a node's, so nodes whose clocks disagree
/// agree on who holds a duty. A take is one upsert whose update is guarded by "free, expired or mine": concurrent
/// takers queue on the row (or on the key of a row not there yet) and each re-checks the guard against the row the
/// one before it wrote, so exactly one gets a free duty.
/// </remarks>
public sealed partial class PostgresStore : IDutyLeaseStore
{
    private const string DutyReturning = "RETURNING duty, holder, epoch, expires_at";

    public Task<DutyLease?> TryTakeDutyAsync(string duty, string holder, TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(duty);
        ArgumentException.ThrowIfNullOrWhiteSpace(holder);
        return WriteAsync(db => db.QueryFirstAsync(
            $"""
            INSERT INTO duty_leases AS d (duty, holder, epoch, taken_at, expires_at)
            VALUES (@duty, @holder, 1, clock_timestamp(), clock_timestamp() + @ttl)
            ON CONFLICT (duty) DO UPDATE
            SET holder = excluded.holder,
                epoch = CASE WHEN d.holder = excluded.holder THEN d.epoch ELSE d.epoch + 1 END,
                taken_at = CASE WHEN d.holder = excluded.holder THEN d.taken_at ELSE clock_timestamp() END,
                expires_at = clock_timestamp() + @ttl
            WHERE d.holder IS NULL OR d.holder = excluded.holder OR d.expires_at <= clock_timestamp()
            {DutyReturning}
            """,
            ReadDutyLease, ("duty", duty), ("holder", holder), ("ttl", ttl)), cancellationToken);
    }

    public Task<DutyLease?> RenewDutyAsync(DutyLease lease, TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return WriteAsync(db => db.QueryFirstAsync(
            $"""
            UPDATE duty_leases SET expires_at = clock_timestamp() + @ttl
            WHERE duty = @duty AND holder = @holder AND epoch = @epoch
            {DutyReturning}
            """,
            ReadDutyLease, ("duty", lease.Duty), ("holder", lease.Holder), ("epoch", lease.Epoch), ("ttl", ttl)), cancellationToken);
    }

    public Task ReleaseDutyAsync(DutyLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return WriteAsync(db => db.ExecuteAsync(
            "UPDATE duty_leases SET holder = NULL, expires_at = clock_timestamp() WHERE duty = @duty AND holder = @holder AND epoch = @epoch",
            ("duty", lease.Duty), ("holder", lease.Holder), ("epoch", lease.Epoch)), cancellationToken);
    }

    public Task<DutyLease?> GetDutyAsync(string duty, CancellationToken cancellationToken) =>
        ReadAsync(db => db.QueryFirstAsync(
            "SELECT duty, holder, epoch, expires_at FROM duty_leases WHERE duty = @duty AND holder IS NOT NULL AND expires_at > clock_timestamp()",
            ReadDutyLease, ("duty", duty)), cancellationToken);

    public Task ReleaseAllDutiesAsync(CancellationToken cancellationToken) =>
        WriteAsync(db => db.ExecuteAsync(
            "UPDATE duty_leases SET holder = NULL, expires_at = clock_timestamp() WHERE holder IS NOT NULL"), cancellationToken);

    private static DutyLease ReadDutyLease(NpgsqlDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetFieldValue<DateTimeOffset>(3));
}

using Enrichflow.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Enrichflow.Storage.Sqlite;

/// <remarks>
/// Expiry is by the store's <see cref="TimeProvider"/>: the SQLite file is on one machine, so every process using it
/// reads one clock. Each call is one write transaction (BEGIN IMMEDIATE), so of concurrent takers exactly one sees the
/// duty free.
/// </remarks>
public sealed partial class SqliteStore : IDutyLeaseStore
{
    public Task<DutyLease?> TryTakeDutyAsync(string duty, string holder, TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(duty);
        ArgumentException.ThrowIfNullOrWhiteSpace(holder);
        return WriteAsync(connection =>
        {
            var now = _time.GetUtcNow();
            var current = connection.QueryFirst(
                "SELECT duty, holder, epoch, expires_at FROM duty_leases WHERE duty = $duty", ReadDutyRow, ("$duty", duty));
            if (current is null)
            {
                connection.Execute(
                    "INSERT INTO duty_leases (duty, holder, epoch, taken_at, expires_at) VALUES ($duty, $holder, 1, $now, $until)",
                    ("$duty", duty), ("$holder", holder), ("$now", now), ("$until", now + ttl));
                return new DutyLease(duty, holder, 1, now + ttl);
            }

            if (current.Holder == holder)
            {
                connection.Execute(
                    "UPDATE duty_leases SET expires_at = $until WHERE duty = $duty", ("$duty", duty), ("$until", now + ttl));
                return new DutyLease(duty, holder, current.Epoch, now + ttl);
            }

            if (current.Holder is not null && current.ExpiresAt > now)
            {
                return null;
            }

            connection.Execute(
                "UPDATE duty_leases SET holder = $holder, epoch = epoch + 1, taken_at = $now, expires_at = $until WHERE duty = $duty",
                ("$duty", duty), ("$holder", holder), ("$now", now), ("$until", now + ttl));
            return (DutyLease?)new DutyLease(duty, holder, current.Epoch + 1, now + ttl);
        }, cancellationToken);
    }

    public Task<DutyLease?> RenewDutyAsync(DutyLease lease, TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return WriteAsync(connection =>
        {
            var until = _time.GetUtcNow() + ttl;
            var renewed = connection.Execute(
                "UPDATE duty_leases SET expires_at = $until WHERE duty = $duty AND holder = $holder AND epoch = $epoch",
                ("$duty", lease.Duty), ("$holder", lease.Holder), ("$epoch", lease.Epoch), ("$until", until));
            return renewed == 1 ? lease with { ExpiresAt = until } : null;
        }, cancellationToken);
    }

    public Task ReleaseDutyAsync(DutyLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return WriteAsync(connection => connection.Execute(
            "UPDATE duty_leases SET holder = NULL, expires_at = $now WHERE duty = $duty AND holder = $holder AND epoch = $epoch",
            ("$duty", lease.Duty), ("$holder", lease.Holder), ("$epoch", lease.Epoch), ("$now", _time.GetUtcNow())), cancellationToken);
    }

    public Task<DutyLease?> GetDutyAsync(string duty, CancellationToken cancellationToken) =>
        Task.FromResult(Read(connection =>
        {
            var current = connection.QueryFirst(
                "SELECT duty, holder, epoch, expires_at FROM duty_leases WHERE duty = $duty", ReadDutyRow, ("$duty", duty));
            return current is { Holder: { } holder } && current.ExpiresAt > _time.GetUtcNow()
                ? new DutyLease(current.Duty, holder, current.Epoch, current.ExpiresAt)
                : null;
        }, cancellationToken));

    public Task ReleaseAllDutiesAsync(CancellationToken cancellationToken) =>
        WriteAsync(connection => connection.Execute(
            "UPDATE duty_leases SET holder = NULL, expires_at = $now WHERE holder IS NOT NULL", ("$now", _time.GetUtcNow())), cancellationToken);

    private static DutyRow ReadDutyRow(SqliteDataReader reader) =>
        new(reader.GetString(0), reader.GetStringOrNull(1), reader.GetInt64(2), reader.GetTime(3));

    private sealed record DutyRow(string Duty, string? Holder, long Epoch, DateTimeOffset ExpiresAt);
}

using Enrichflow.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Enrichflow.Storage.Sqlite;

/// <remarks>
/// One process uses an SQLite store, so its clock is the store's clock; the write gate makes each decision one
/// transaction. The arithmetic is <see cref="RequestQuotaRule"/> and <see cref="SlotShareRule"/>.
/// </remarks>
public sealed partial class SqliteStore : IProviderQuotaStore
{
    public Task<RequestQuota> TakeRequestsAsync(RequestQuotaAsk ask, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ask);
        return WriteAsync(connection =>
        {
            var now = DateTimeOffset.UtcNow;
            var since = QuotaTime.ToMicros(now - RequestQuotaRule.AccountedWindow(ask));
            connection.Execute("DELETE FROM provider_request_grants WHERE provider = $p AND granted_at_us <= $since", ("$p", ask.Provider), ("$since", since));
            var state = connection.Query(
                "SELECT next_at_us, hold_until_us FROM provider_request_quotas WHERE provider = $p",
                reader => (NextAt: reader.GetInt64(0), HoldUntil: reader.GetInt64(1)), ("$p", ask.Provider)).FirstOrDefault();
            var (granted, oldest) = connection.Query(
                "SELECT coalesce(sum(count), 0), min(granted_at_us) FROM provider_request_grants WHERE provider = $p",
                reader => (reader.GetInt64(0), reader.IsDBNull(1) ? (long?)null : reader.GetInt64(1)), ("$p", ask.Provider))[0];
            var (quota, nextAt) = RequestQuotaRule.Decide(
                ask, now, QuotaTime.FromMicros(state.NextAt), QuotaTime.FromMicros(state.HoldUntil), granted, QuotaTime.FromMicros(oldest));
            if (quota.Granted > 0)
            {
                connection.Execute(
                    "INSERT INTO provider_request_grants (provider, granted_at_us, count) VALUES ($p, $at, $n)",
                    ("$p", ask.Provider), ("$at", QuotaTime.ToMicros(now)), ("$n", quota.Granted));
                connection.Execute(
                    """
                    INSERT INTO provider_request_quotas (provider, next_at_us, hold_until_us) VALUES ($p, $next, 0)
                    ON CONFLICT (provider) DO UPDATE SET next_at_us = excluded.next_at_us
                    """,
                    ("$p", ask.Provider), ("$next", QuotaTime.ToMicros(nextAt)));
            }

            return quota;
        }, cancellationToken);
    }

    public Task HoldRequestsAsync(string provider, TimeSpan hold, CancellationToken cancellationToken) =>
        WriteAsync(connection => connection.Execute(
            """
            INSERT INTO provider_request_quotas (provider, next_at_us, hold_until_us) VALUES ($p, 0, $until)
            ON CONFLICT (provider) DO UPDATE SET hold_until_us = max(hold_until_us, excluded.hold_until_us)
            """,
            ("$p", provider), ("$until", QuotaTime.ToMicros(DateTimeOffset.UtcNow + hold))), cancellationToken);

    public Task<int> ShareSlotsAsync(SlotShareAsk ask, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ask);
        return WriteAsync(connection =>
        {
            var now = DateTimeOffset.UtcNow;
            connection.Execute(
                "DELETE FROM provider_slot_shares WHERE provider = $p AND (expires_at_us <= $now OR node = $node)",
                ("$p", ask.Provider), ("$now", QuotaTime.ToMicros(now)), ("$node", ask.Node));
            var others = connection.Query($"{SelectSlotShares} WHERE provider = $p", ReadSlotShare, ("$p", ask.Provider));
            var (allowed, held) = SlotShareRule.Decide(ask, others);
            if (held > 0 || ask.Wanted > 0)
            {
                connection.Execute(
                    "INSERT INTO provider_slot_shares (provider, node, held, wanted, expires_at_us) VALUES ($p, $node, $held, $wanted, $expires)",
                    ("$p", ask.Provider), ("$node", ask.Node), ("$held", held), ("$wanted", ask.Wanted), ("$expires", QuotaTime.ToMicros(now + ask.Lease)));
            }

            return allowed;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<SlotShare>> GetSlotSharesAsync(string provider, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SlotShare>>(Read(
            connection => connection.Query(
                $"{SelectSlotShares} WHERE provider = $p AND expires_at_us > $now ORDER BY node",
                ReadSlotShare, ("$p", provider), ("$now", QuotaTime.ToMicros(DateTimeOffset.UtcNow))),
            cancellationToken));

    private const string SelectSlotShares = "SELECT node, held, wanted, expires_at_us FROM provider_slot_shares";

    private static SlotShare ReadSlotShare(SqliteDataReader reader) =>
        new(reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), QuotaTime.FromMicros(reader.GetInt64(3))!.Value);
}

using Enrichflow.Core.Storage;
using Npgsql;

namespace Enrichflow.Storage.Postgres;

/// <remarks>
/// Each decision is one transaction under an advisory lock on the provider (nodes asking for different providers do
/// not wait for each other), on the database server's clock read after the lock: every node's grants are placed on
/// one time line whatever the nodes' own clocks say. The arithmetic is <see cref="RequestQuotaRule"/> and
/// <see cref="SlotShareRule"/>.
/// </remarks>
public sealed partial class PostgresStore : IProviderQuotaStore
{
    private const string LockQuota = "SELECT pg_advisory_xact_lock(hashtext('enrichflow.quota:' || @p))";
    private const string NowMicros = "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint";
    private const string ServerNowMicros = $"SELECT {NowMicros}";

    public Task<RequestQuota> TakeRequestsAsync(RequestQuotaAsk ask, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ask);
        return WriteAsync(async db =>
        {
            await db.ExecuteAsync(LockQuota, ("p", ask.Provider));
            var nowMicros = await db.ScalarAsync<long>(ServerNowMicros);
            var now = QuotaTime.FromMicros(nowMicros)!.Value;
            await db.ExecuteAsync(
                "DELETE FROM provider_request_grants WHERE provider = @p AND granted_at_us <= @since",
                ("p", ask.Provider), ("since", QuotaTime.ToMicros(now - RequestQuotaRule.AccountedWindow(ask))));
            var state = (await db.QueryAsync(
                "SELECT next_at_us, hold_until_us FROM provider_request_quotas WHERE provider = @p",
                reader => (NextAt: reader.GetInt64(0), HoldUntil: reader.GetInt64(1)), ("p", ask.Provider))).FirstOrDefault();
            var (granted, oldest) = (await db.QueryAsync(
                "SELECT coalesce(sum(count), 0)::bigint, min(granted_at_us) FROM provider_request_grants WHERE provider = @p",
                reader => (reader.GetInt64(0), reader.IsDBNull(1) ? (long?)null : reader.GetInt64(1)), ("p", ask.Provider)))[0];
            var (quota, nextAt) = RequestQuotaRule.Decide(
                ask, now, QuotaTime.FromMicros(state.NextAt), QuotaTime.FromMicros(state.HoldUntil), granted, QuotaTime.FromMicros(oldest));
            if (quota.Granted > 0)
            {
                await db.ExecuteAsync(
                    "INSERT INTO provider_request_grants (provider, granted_at_us, count) VALUES (@p, @at, @n)",
                    ("p", ask.Provider), ("at", nowMicros), ("n", quota.Granted));
                await db.ExecuteAsync(
                    """
                    INSERT INTO provider_request_quotas (provider, next_at_us, hold_until_us) VALUES (@p, @next, 0)
                    ON CONFLICT (provider) DO UPDATE SET next_at_us = excluded.next_at_us
                    """,
                    ("p", ask.Provider), ("next", QuotaTime.ToMicros(nextAt)));
            }

            return quota;
        }, cancellationToken);
    }

    public Task HoldRequestsAsync(string provider, TimeSpan hold, CancellationToken cancellationToken) =>
        WriteAsync(async db =>
        {
            await db.ExecuteAsync(LockQuota, ("p", provider));
            await db.ExecuteAsync(
                $"""
                INSERT INTO provider_request_quotas (provider, next_at_us, hold_until_us) VALUES (@p, 0, {NowMicros} + @hold)
                ON CONFLICT (provider) DO UPDATE SET hold_until_us = greatest(provider_request_quotas.hold_until_us, excluded.hold_until_us)
                """,
                ("p", provider), ("hold", (long)(hold.Ticks / TimeSpan.TicksPerMicrosecond)));
        }, cancellationToken);

    public Task<int> ShareSlotsAsync(SlotShareAsk ask, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ask);
        return WriteAsync(async db =>
        {
            await db.ExecuteAsync(LockQuota, ("p", ask.Provider));
            var nowMicros = await db.ScalarAsync<long>(ServerNowMicros);
            await db.ExecuteAsync(
                "DELETE FROM provider_slot_shares WHERE provider = @p AND (expires_at_us <= @now OR node = @node)",
                ("p", ask.Provider), ("now", nowMicros), ("node", ask.Node));
            var others = await db.QueryAsync($"{SelectSlotShares} WHERE provider = @p", ReadSlotShare, ("p", ask.Provider));
            var (allowed, held) = SlotShareRule.Decide(ask, others);
            if (held > 0 || ask.Wanted > 0)
            {
                await db.ExecuteAsync(
                    "INSERT INTO provider_slot_shares (provider, node, held, wanted, expires_at_us) VALUES (@p, @node, @held, @wanted, @expires)",
                    ("p", ask.Provider), ("node", ask.Node), ("held", held), ("wanted", ask.Wanted),
                    ("expires", nowMicros + (ask.Lease.Ticks / TimeSpan.TicksPerMicrosecond)));
            }

            return allowed;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<SlotShare>> GetSlotSharesAsync(string provider, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<SlotShare>>(
            async db => await db.QueryAsync(
                $"{SelectSlotShares} WHERE provider = @p AND expires_at_us > {NowMicros} ORDER BY node", ReadSlotShare, ("p", provider)),
            cancellationToken);

    private const string SelectSlotShares = "SELECT node, held, wanted, expires_at_us FROM provider_slot_shares";

    private static SlotShare ReadSlotShare(NpgsqlDataReader reader) =>
        new(reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), QuotaTime.FromMicros(reader.GetInt64(3))!.Value);
}

using System.Collections.Concurrent;
using System.Globalization;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Storage;

using Enrichflow.Providers.Limits;

namespace Enrichflow.Providers.Orgs;

/// <summary>
/// Keeps each organization within its credits per UTC day and month (docs/api.md §1 "Organization limits"): a paid
/// call reserves its price against what the organization spent today and this month; when that would pass a limit the
/// run pauses before the call, as it does at its own <c>max_credits</c> (<see cref="RunBudget"/>). What was spent is
/// read from the usage store once per organization, day and process, then kept up to date by the calls settled here.
/// </summary>
/// <remarks>
/// When several processes share the store (<paramref name="shared"/>), what the organization spent is read again when
/// older than <see cref="SharedLimitsOptions.SpentRefresh"/>, and before a pause, as <see cref="RunBudget"/> does.
/// </remarks>
public sealed class OrgCredits(IOrgLimitStore store, OrgLimitsSource limits, TimeProvider time, SharedProviderLimits? shared = null)
{
    private readonly TimeSpan? _refresh = shared?.Options.SpentRefresh;

    private readonly ConcurrentDictionary<string, Lazy<Task<Account>>> _accounts = new(StringComparer.Ordinal);

    /// <summary>
    /// Reserves <paramref name="price"/> credits of the organization's day and month; null when it has no credit limit.
    /// Throws <see cref="RunPauseException"/> (naming the limit, what was used and how to go on) when a limit would be passed.
    /// </summary>
    public async ValueTask<Account?> ReserveAsync(string orgId, Guid runId, double price, CancellationToken cancellationToken)
    {
        var current = await limits.GetRecentAsync(orgId, cancellationToken);
        if (current.CreditsPerDay is null && current.CreditsPerMonth is null)
        {
            return null;
        }

        var account = await AccountAsync(orgId, cancellationToken);
        if (_refresh is { } refresh && time.GetElapsedTime(account.ReadAt) >= refresh)
        {
            await RefreshAsync(orgId, account, cancellationToken);
        }

        if (TryReserve(account, current, price) is null)
        {
            return account;
        }

        // About to pause: a limit raised a moment ago counts, and (in a cluster) what was spent is read again.
        current = await limits.GetAsync(orgId, cancellationToken);
        if (_refresh is not null)
        {
            await RefreshAsync(orgId, account, cancellationToken);
        }

        if (TryReserve(account, current, price) is { } reached)
        {
            throw new RunPauseException(
                $"{reached.Message} The run goes on with POST /workflows/resume?job_id={runId} once the limit is raised (enrichflow orgs limits set {orgId} {reached.Option} N) or in the next UTC {reached.Period}.") { ByBudget = true };
        }

        return account;
    }

    /// <summary>Settles a reservation with what the call cost.</summary>
    public static void Settle(Account account, double price, double cost)
    {
        ArgumentNullException.ThrowIfNull(account);
        lock (account)
        {
            account.Reserved -= price;
            account.SpentToday += cost;
            account.SpentThisMonth += cost;
        }
    }

    /// <summary>
    /// The credit limit of <paramref name="limits"/> that <paramref name="price"/> more credits would pass, given what
    /// the organization spent on <paramref name="day"/> and in its month; null when none would be passed.
    /// </summary>
    public static CreditLimitReached? Exceeded(OrgLimits limits, DateOnly day, double spentToday, double spentThisMonth, double price)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (limits.CreditsPerDay is { } perDay && spentToday + price > perDay + 1e-9)
        {
            return new("credits_per_day", "--credits-per-day", "day", perDay, spentToday, string.Create(CultureInfo.InvariantCulture,
                $"Organization '{limits.OrgId}' has used {spentToday:0.##} of its {perDay:0.##} credits per day (credits_per_day) on {day:yyyy-MM-dd} (UTC)."));
        }

        if (limits.CreditsPerMonth is { } perMonth && spentThisMonth + price > perMonth + 1e-9)
        {
            return new("credits_per_month", "--credits-per-month", "month", perMonth, spentThisMonth, string.Create(CultureInfo.InvariantCulture,
                $"Organization '{limits.OrgId}' has used {spentThisMonth:0.##} of its {perMonth:0.##} credits per month (credits_per_month) in {day:yyyy-MM} (UTC)."));
        }

        return null;
    }

    private static CreditLimitReached? TryReserve(Account account, OrgLimits current, double price)
    {
        lock (account)
        {
            if (Exceeded(current, account.Day, account.SpentToday + account.Reserved, account.SpentThisMonth + account.Reserved, price) is { } reached)
            {
                return reached;
            }

            account.Reserved += price;
            return null;
        }
    }

    /// <summary>The organization's account of today (UTC); a new day starts a new one, read from the usage store.</summary>
    private async Task<Account> AccountAsync(string orgId, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        while (true)
        {
            var entry = _accounts.GetOrAdd(orgId, id => new Lazy<Task<Account>>(() => LoadAsync(id, today, cancellationToken)));
            Account account;
            try
            {
                account = await entry.Value;
            }
            catch
            {
                _accounts.TryRemove(new KeyValuePair<string, Lazy<Task<Account>>>(orgId, entry));
                throw;
            }

            if (account.Day == today)
            {
                return account;
            }

            _accounts.TryRemove(new KeyValuePair<string, Lazy<Task<Account>>>(orgId, entry));
        }
    }

    private async Task<Account> LoadAsync(string orgId, DateOnly today, CancellationToken cancellationToken)
    {
        var readAt = time.GetTimestamp();
        var footprint = await store.GetOrgFootprintAsync(orgId, today, cancellationToken);
        return new Account { Day = today, SpentToday = footprint.CreditsToday, SpentThisMonth = footprint.CreditsThisMonth, ReadAt = readAt };
    }

    /// <summary>Reads what the organization spent on the account's day and month, every process's calls included.</summary>
    private async Task RefreshAsync(string orgId, Account account, CancellationToken cancellationToken)
    {
        var readAt = time.GetTimestamp();
        var footprint = await store.GetOrgFootprintAsync(orgId, account.Day, cancellationToken);
        lock (account)
        {
            account.SpentToday = footprint.CreditsToday;
            account.SpentThisMonth = footprint.CreditsThisMonth;
            account.ReadAt = readAt;
        }
    }

    /// <summary>What an organization spent on one UTC day and in its month, and what calls under way have reserved.</summary>
    public sealed class Account
    {
        public DateOnly Day { get; init; }

        public double SpentToday { get; set; }

        public double SpentThisMonth { get; set; }

        public double Reserved { get; set; }

        /// <summary>When the spent credits were read from the store (a timestamp of the clock).</summary>
        public long ReadAt { get; set; }
    }
}

/// <summary>A credit limit an organization reached: its name in <c>/usage</c>, its CLI option, its period (day or month), the limit, what was used, and a sentence saying so.</summary>
public sealed record CreditLimitReached(string Limit, string Option, string Period, double Allowed, double Used, string Message);

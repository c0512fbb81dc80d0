using System.Collections.Concurrent;
using System.Globalization;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Storage;

using Enrichflow.Providers.Kinds;
using Enrichflow.Providers.Limits;
using Enrichflow.Providers.Orgs;

namespace Enrichflow.Providers;

/// <summary>
/// Keeps each run within its <c>max_credits</c> (docs/architecture.md §4 "Budget"): a paid call first reserves its price;
/// when what was spent plus what is reserved would pass the budget, the run pauses instead of calling. Spending
/// is read from the usage store once per run and process, so a restarted server knows what was spent before.
/// The organization's credits per day and month (<see cref="OrgCredits"/>) are reserved with the same call.
/// <para>
/// When several processes share the store (<paramref name="shared"/>), a run's calls may be made by any of them, so
/// what was spent is read again from the usage store (every call writes its cost there at once) when it is older than
/// <see cref="SharedLimitsOptions.SpentRefresh"/>, and once more before a pause. What other processes have reserved
/// but not yet spent is not seen: a run spread over several workers may pass its budget by at most their calls in
/// flight, the same bound as for a crash.
/// </para>
/// </summary>
public sealed class RunBudget(IUsageStore usage, OrgCredits orgCredits, TimeProvider time, SharedProviderLimits? shared = null)
{
    private readonly TimeSpan? _refresh = shared?.Options.SpentRefresh;

    private readonly ConcurrentDictionary<Guid, Lazy<Task<Account>>> _accounts = new();

    /// <summary>
    /// Reserves <paramref name="price"/> credits for a call, of the run's budget and of its organization's; throws
    /// <see cref="RunPauseException"/> when either would be passed.
    /// </summary>
    public async ValueTask<Reservation> ReserveAsync(BlockRunContext context, double price, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (price <= 0)
        {
            return default;
        }

        Account? account = null;
        if (context.Enrichment.MaxCredits is { } limit)
        {
            account = await _accounts.GetOrAdd(context.RunId, id => new Lazy<Task<Account>>(() => LoadAsync(id, cancellationToken))).Value;
            if (_refresh is { } refresh && time.GetElapsedTime(account.ReadAt) >= refresh)
            {
                await RefreshAsync(context.RunId, account, cancellationToken);
            }

            var reserved = TryReserve(account, price, limit);
            if (!reserved && _refresh is not null)
            {
                // About to pause: what this process added since the last read may be counted twice, so read again.
                await RefreshAsync(context.RunId, account, cancellationToken);
                reserved = TryReserve(account, price, limit);
            }

            if (!reserved)
            {
                throw new RunPauseException(string.Create(CultureInfo.InvariantCulture,
                    $"The run's budget of {limit:0.##} credits is reached ({account.Spent:0.##} spent); raise max_credits when resuming: POST /workflows/resume?job_id={context.RunId} with {{\"max_credits\": ...}}.")) { ByBudget = true };
            }
        }

        try
        {
            var org = await orgCredits.ReserveAsync(context.OrgId, context.RunId, price, cancellationToken);
            return new Reservation(account, price, org);
        }
        catch
        {
            Settle(new Reservation(account, price), 0);
            throw;
        }
    }

    /// <summary>Settles a reservation with what the call really cost (0 when nothing was paid).</summary>
    public static void Settle(Reservation reservation, double cost)
    {
        if (reservation.Org is { } org)
        {
            OrgCredits.Settle(org, reservation.Price, cost);
        }

        if (reservation.Account is not { } account)
        {
            return;
        }

        lock (account)
        {
            account.Reserved -= reservation.Price;
            account.Spent += cost;
        }
    }

    /// <summary>Reserves <paramref name="price"/> when it fits the budget with what is spent and reserved; false (nothing reserved) when not.</summary>
    private static bool TryReserve(Account account, double price, double limit)
    {
        lock (account)
        {
            if (account.Spent + account.Reserved + price > limit + 1e-9)
            {
                return false;
            }

            account.Reserved += price;
            return true;
        }
    }

    /// <summary>Reads what the run spent from the usage store, every process's calls included.</summary>
    private async Task RefreshAsync(Guid runId, Account account, CancellationToken cancellationToken)
    {
        var readAt = time.GetTimestamp();
        var spent = (await usage.GetRunUsageAsync(runId, cancellationToken)).Sum(t => t.Credits);
        lock (account)
        {
            account.Spent = spent;
            account.ReadAt = readAt;
        }
    }

    /// <summary>Forgets a run (it ended).</summary>
    public void Forget(Guid runId) => _accounts.TryRemove(runId, out _);

    private async Task<Account> LoadAsync(Guid runId, CancellationToken cancellationToken)
    {
        try
        {
            var readAt = time.GetTimestamp();
            var totals = await usage.GetRunUsageAsync(runId, cancellationToken);
            return new Account { Spent = totals.Sum(t => t.Credits), ReadAt = readAt };
        }
        catch
        {
            _accounts.TryRemove(runId, out _);
            throw;
        }
    }

    public sealed class Account
    {
        public double Spent { get; set; }

        public double Reserved { get; set; }

        /// <summary>When <see cref="Spent"/> was read from the store (a timestamp of the budget's clock).</summary>
        public long ReadAt { get; set; }
    }

    public readonly record struct Reservation(Account? Account, double Price, OrgCredits.Account? Org = null);
}

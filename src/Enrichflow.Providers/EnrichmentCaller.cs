using System.Collections.Concurrent;
using Enrichflow.Providers.Limits;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using Enrichflow.Providers.Kinds;

using Enrichflow.Core.Diagnostics;

namespace Enrichflow.Providers;

/// <summary>
/// Makes one provider call for a row the way docs/architecture.md §4 asks: from the cache when a fresh answer exists;
/// otherwise within the run's budget, through the provider's in-flight gate, and with the answer written to the
/// cache before the row can be committed ("never pay twice"). Identical requests in flight at once share one call.
/// </summary>
public sealed partial class EnrichmentCaller(
    IProviderCache cache,
    IUsageStore usage,
    RunBudget budget,
    ProviderLimiters limiters,
    IOptions<EnrichmentOptions> options,
    TimeProvider time,
    ILogger<EnrichmentCaller> logger)
{
    private readonly ConcurrentDictionary<string, Task<EnrichmentAnswer>> _inFlight = new(StringComparer.Ordinal);

    /// <summary>Refusals (401/403) by run, block and provider: a block stops asking a provider that refused it.</summary>
    private readonly ConcurrentDictionary<string, string> _refusals = new(StringComparer.Ordinal);

    /// <summary>Runs that must pause, with why: their units start no new call, and the calls under way finish (and are kept).</summary>
    private readonly ConcurrentDictionary<Guid, string> _pausing = new();

    /// <summary>Starts one block's calls over one chunk (a unit runs only while its run runs: any pause is over).</summary>
    public EnrichmentSession Begin(BlockRunContext context, IReadOnlyList<string> stopFields)
    {
        ArgumentNullException.ThrowIfNull(context);
        _pausing.TryRemove(context.RunId, out _);
        return new(context, stopFields, usage, _refusals, _pausing);
    }

    public void ForgetRun(Guid runId)
    {
        budget.Forget(runId);
        _pausing.TryRemove(runId, out _);
        var prefix = $"{runId:N}/";
        foreach (var key in _refusals.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)))
        {
            _refusals.TryRemove(key, out _);
        }
    }

    public async Task<EnrichmentAnswer> CallAsync(EnrichmentSession session, IEnrichmentProvider provider, EnrichmentRequest request, long priority, CancellationToken cancellationToken)
    {
        ThrowIfPausing(session);
        if (Refused(session, provider, request) is { } refused)
        {
            return refused;
        }

        if (provider.IsLocal)
        {
            var local = await provider.CallAsync(request, cancellationToken);
            session.Count(provider, request, local, called: true, fromCache: false);
            return local;
        }

        var context = session.Context;
        var key = request.CacheKey;
        if (context.Enrichment.CacheEnabled && await ReadCacheAsync(context, provider, key, cancellationToken) is { } cached)
        {
            session.Count(provider, request, cached, called: false, fromCache: true);
            return cached;
        }

        // One call for identical requests in flight together (two rows of one company, or two runs).
        var flightKey = $"{context.OrgId}\n{provider.Name}\n{key}";
        while (true)
        {
            var mine = new TaskCompletionSource<EnrichmentAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
            var shared = _inFlight.GetOrAdd(flightKey, mine.Task);
            if (shared != mine.Task)
            {
                try
                {
                    var answer = await shared.WaitAsync(cancellationToken);
                    session.Count(provider, request, answer, called: false, fromCache: answer.Outcome != EnrichmentOutcome.Failed);
                    return answer;
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested && (shared.IsFaulted || shared.IsCanceled))
                {
                    // The other caller stopped (its run paused or was cancelled): make the call ourselves.
                    continue;
                }
            }

            try
            {
                var answer = await PaidCallAsync(session, provider, request, key, priority, cancellationToken);
                mine.TrySetResult(answer);
                return answer;
            }
            catch (Exception e)
            {
                mine.TrySetException(e);
                throw;
            }
            finally
            {
                _inFlight.TryRemove(new KeyValuePair<string, Task<EnrichmentAnswer>>(flightKey, mine.Task));
            }
        }
    }

    private async Task<EnrichmentAnswer> PaidCallAsync(EnrichmentSession session, IEnrichmentProvider provider, EnrichmentRequest request, string key, long priority, CancellationToken cancellationToken)
    {
        var context = session.Context;
        var reservation = await budget.ReserveAsync(context, (double)provider.Limits.CreditsPerCall, cancellationToken);
        var cost = 0.0;
        try
        {
            // The slot is held until the answer is in the cache and its cost recorded: a crash can repeat at most
            // the calls that hold slots (MaxConcurrency), never one that was answered and not yet kept.
            using (await limiters.For(provider.Name, provider.Limits).AcquireSlotAsync(context.OrgId, context.RunId, priority, cancellationToken))
            {
                // While this row waited for a slot the run may have been told to pause, or the provider refused the block.
                ThrowIfPausing(session);
                if (Refused(session, provider, request) is { } refused)
                {
                    return refused;
                }

                EnrichmentAnswer answer;
                try
                {
                    // Each HTTP attempt of the call waits for its request token in this organization's turn.
                    using (ProviderCallOrg.Enter(context.OrgId))
                    {
                        answer = await provider.CallAsync(request, cancellationToken);
                    }
                }
                catch (ProviderRefusedException e)
                {
                    LogRefused(logger, context.RunId, context.BlockId, provider.Name, e.Message);
                    session.Refuse(provider, e.Message);
                    answer = EnrichmentAnswer.Failed(e.Message);
                }
                catch (ProviderPaymentRequiredException e)
                {
                    LogPaymentRequired(logger, context.RunId, provider.Name, e.Message);
                    throw new RunPauseException($"{e.Message}. Add credits with the provider, then resume the run (POST /workflows/resume?job_id={context.RunId}).", e);
                }

                cost = answer.Billable ? (double)(answer.Credits ?? provider.Limits.CreditsPerCall) : 0;
                if (answer.Outcome != EnrichmentOutcome.Failed && context.Enrichment.CacheEnabled)
                {
                    // Written before the row is committed: a unit that runs again after a crash reads it.
                    await cache.PutAsync(new ProviderCacheEntry(context.OrgId, provider.Name, key, CachedAnswers.OutcomeName(answer.Outcome),
                        CachedAnswers.Serialize(answer), cost, time.GetUtcNow()), CancellationToken.None);
                }

                var (hits, misses, failures) = session.Classify(request, answer);
                await usage.AddUsageAsync([new UsageIncrement(context.OrgId, context.RunId, context.BlockId, provider.Name, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime),
                    Calls: 1, Hits: hits, Misses: misses, Failures: failures, Credits: cost)], CancellationToken.None);
                return answer;
            }
        }
        finally
        {
            RunBudget.Settle(reservation, cost);
        }
    }

    /// <summary>The failure a block gets, without a call, from a provider that refused it (401/403); null when none did.</summary>
    private static EnrichmentAnswer? Refused(EnrichmentSession session, IEnrichmentProvider provider, EnrichmentRequest request)
    {
        if (session.RefusalOf(provider) is not { } refusal)
        {
            return null;
        }

        var answer = EnrichmentAnswer.Failed(refusal);
        session.Count(provider, request, answer, called: false, fromCache: false);
        return answer;
    }

    private static void ThrowIfPausing(EnrichmentSession session)
    {
        if (session.PauseReason is { } reason)
        {
            throw new RunPauseException(reason);
        }
    }

    private async Task<EnrichmentAnswer?> ReadCacheAsync(BlockRunContext context, IEnrichmentProvider provider, string key, CancellationToken cancellationToken)
    {
        var entry = await cache.GetAsync(context.OrgId, provider.Name, key, cancellationToken);
        if (entry is null)
        {
            return null;
        }

        if (!CachedAnswers.IsFresh(entry, context.Enrichment, options.Value.NotFoundTtlDays, time.GetUtcNow()))
        {
            return null;
        }

        try
        {
            return CachedAnswers.Deserialize(entry.Outcome, entry.AnswerJson);
        }
        catch (System.Text.Json.JsonException)
        {
            return null; // unreadable: ask again, and the new answer replaces it
        }
    }

    [LoggerMessage(EventId = LogEvents.ProviderRefused, Level = LogLevel.Warning, Message = "Run {RunId}: block {BlockId}: provider {Provider} refused the call: {Message}; its other calls in this block fail the same way")]
    private static partial void LogRefused(ILogger logger, Guid runId, string blockId, string provider, string message);

    [LoggerMessage(EventId = LogEvents.ProviderPaymentRequired, Level = LogLevel.Warning, Message = "Run {RunId}: provider {Provider} is out of credits ({Message}); the run pauses")]
    private static partial void LogPaymentRequired(ILogger logger, Guid runId, string provider, string message);
}

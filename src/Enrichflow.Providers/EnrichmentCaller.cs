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
/// cache before the row can be committed ("never pay twice"). Identical requests in flight at once share one call. A
/// call that runs as a job at the provider (<see cref="IJobProvider"/>) has its task id recorded in
/// <see cref="IProviderJobStore"/> before it is waited on, so the same call after a crash waits on that job instead of
/// paying for another.
/// </summary>
public sealed partial class EnrichmentCaller(
    IProviderCache cache,
    IProviderJobStore jobs,
    IUsageStore usage,
    RunBudget budget,
    ProviderLimiters limiters,
    EnrichflowMetrics metrics,
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
            metrics.ProviderCacheHit(provider.Name);
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
                var job = JobCall.None;
                try
                {
                    // Each HTTP attempt of the call waits for its request token in this organization's turn.
                    using (ProviderCallOrg.Enter(context.OrgId))
                    {
                        if (provider is IJobProvider jobProvider && jobProvider.RunsAsJob(request))
                        {
                            job = await CallThroughJobAsync(context, jobProvider, request, key, cancellationToken);
                            answer = job.Answer;
                        }
                        else
                        {
                            answer = await provider.CallAsync(request, cancellationToken);
                        }
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

                if (answer.NotRetried)
                {
                    LogNotRetried(logger, context.RunId, context.BlockId, provider.Name, answer.Reason ?? "");
                }

                // A job submitted again after the provider lost the first was paid for twice.
                var paidRequests = job.Resubmitted ? 2 : 1;
                cost = answer.Billable ? (double)(answer.Credits ?? provider.Limits.CreditsPerCall) * paidRequests : 0;
                if (answer.Outcome != EnrichmentOutcome.Failed && context.Enrichment.CacheEnabled)
                {
                    // Written before the row is committed: a unit that runs again after a crash reads it.
                    await cache.PutAsync(new ProviderCacheEntry(context.OrgId, provider.Name, key, CachedAnswers.OutcomeName(answer.Outcome),
                        CachedAnswers.Serialize(answer), cost, time.GetUtcNow()), CancellationToken.None);
                }

                var (hits, misses, failures) = session.Classify(request, answer);
                await usage.AddUsageAsync([new UsageIncrement(context.OrgId, context.RunId, context.BlockId, provider.Name, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime),
                    Calls: paidRequests, Hits: hits, Misses: misses, Failures: failures, Credits: cost,
                    JobsResumed: job.Resumed ? 1 : 0, JobsResubmitted: job.Resubmitted ? 1 : 0, NotRetried: answer.NotRetried ? 1 : 0)], CancellationToken.None);
                metrics.ProviderCalled(provider.Name, paidRequests, cost);
                if (job.Ended is { } ended)
                {
                    // The job has ended and its answer is kept (in the cache, or in the row the unit commits): nobody waits on it again.
                    await jobs.ForgetJobAsync(context.OrgId, provider.Name, key, ended, CancellationToken.None);
                }

                return answer;
            }
        }
        finally
        {
            RunBudget.Settle(reservation, cost);
        }
    }

    /// <summary>
    /// The call of a request that runs as a job: waits on the job recorded for it (submitted by an attempt that did not
    /// get to keep the answer, such as a unit killed with its server), or submits one and records its task id before
    /// waiting. A job the provider no longer knows (404) is submitted once more. <see cref="JobCall.Ended"/> names the
    /// job when it ended at the provider (its record may go); a wait that gave up keeps the record for the next attempt.
    /// </summary>
    private async Task<JobCall> CallThroughJobAsync(BlockRunContext context, IJobProvider provider, EnrichmentRequest request, string key, CancellationToken cancellationToken)
    {
        var job = await jobs.FindJobAsync(context.OrgId, provider.Name, key, cancellationToken);
        if (job is not null && job.RunId != context.RunId && job.SubmittedAt < time.GetUtcNow().AddDays(-context.Enrichment.CacheTtlDays))
        {
            // Another run's job, older than this run accepts an answer to be (cache_config.ttl_days): ask anew. A run's
            // own job (its unit resumed after a crash) is always waited on.
            job = null;
        }

        var resumed = job is not null;
        if (job is not null)
        {
            LogJobResumed(logger, context.RunId, context.BlockId, provider.Name, job.TaskId);
        }

        var resubmitted = false;
        while (true)
        {
            if (job is null)
            {
                var submitted = await provider.SubmitJobAsync(request, cancellationToken);
                if (submitted.TaskId is not { } taskId)
                {
                    return new JobCall(submitted.Answer!, resumed, resubmitted, null);
                }

                // Recorded before anyone waits on it: from here on a crash costs no second submission.
                job = new ProviderJob(context.OrgId, provider.Name, key, taskId, context.RunId, time.GetUtcNow());
                await jobs.RecordJobAsync(job, CancellationToken.None);
            }

            var wait = await provider.WaitForJobAsync(job.TaskId, request, cancellationToken);
            if (wait.End == JobEnd.Unknown && !resubmitted)
            {
                LogJobUnknown(logger, context.RunId, context.BlockId, provider.Name, job.TaskId);
                resubmitted = true;
                job = null;
                continue;
            }

            var answer = resubmitted && wait.Answer.Outcome == EnrichmentOutcome.Failed
                ? wait.Answer with { Reason = $"{wait.Answer.Reason} (submitted again after the provider no longer knew the first job)" }
                : wait.Answer;
            return new JobCall(answer, resumed, resubmitted, wait.End == JobEnd.Unsettled ? null : job.TaskId);
        }
    }

    /// <summary>What a job call gave: the answer, whether it waited on a recorded job, whether it submitted again, and the task id of the job that ended.</summary>
    private readonly record struct JobCall(EnrichmentAnswer Answer, bool Resumed, bool Resubmitted, string? Ended)
    {
        public static JobCall None => default;
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

    [LoggerMessage(EventId = LogEvents.ProviderJobResumed, Level = LogLevel.Information, Message = "Run {RunId}: block {BlockId}: waiting on {Provider} job {TaskId}, recorded by an earlier attempt, instead of submitting it again")]
    private static partial void LogJobResumed(ILogger logger, Guid runId, string blockId, string provider, string taskId);

    [LoggerMessage(EventId = LogEvents.ProviderJobUnknown, Level = LogLevel.Warning, Message = "Run {RunId}: block {BlockId}: {Provider} no longer knows job {TaskId}; submitting it once more")]
    private static partial void LogJobUnknown(ILogger logger, Guid runId, string blockId, string provider, string taskId);

    [LoggerMessage(EventId = LogEvents.ProviderCallNotRetried, Level = LogLevel.Warning, Message = "Run {RunId}: block {BlockId}: a call to {Provider} was not retried: {Reason}")]
    private static partial void LogNotRetried(ILogger logger, Guid runId, string blockId, string provider, string reason);

    [LoggerMessage(EventId = LogEvents.ProviderPaymentRequired, Level = LogLevel.Warning, Message = "Run {RunId}: provider {Provider} is out of credits ({Message}); the run pauses")]
    private static partial void LogPaymentRequired(ILogger logger, Guid runId, string provider, string message);
}

namespace Enrichflow.Core.Storage;

/// <summary>
/// Provider jobs under way (docs/architecture.md §4 "never pay twice"): a long call that runs as a job at the provider
/// (Sixtyfour's <c>-async</c> endpoints) is recorded here with the provider's task id before anyone waits on it, keyed
/// like the answer cache (organization, provider, request key). A call resumed after a crash finds the job and polls
/// it instead of paying for a new one; the record goes once the job's answer is kept (or the job has failed), and
/// records left behind are deleted by age.
/// </summary>
public interface IProviderJobStore
{
    /// <summary>The job recorded for the request, or null.</summary>
    Task<ProviderJob?> FindJobAsync(string orgId, string provider, string requestKey, CancellationToken cancellationToken);

    /// <summary>Records the job, replacing the one recorded for the same request (a job submitted again).</summary>
    Task RecordJobAsync(ProviderJob job, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the record of the request when it still names <paramref name="taskId"/> (a newer job recorded meanwhile
    /// stays); returns whether it did.
    /// </summary>
    Task<bool> ForgetJobAsync(string orgId, string provider, string requestKey, string taskId, CancellationToken cancellationToken);

    /// <summary>Deletes the records of jobs submitted before <paramref name="cutoff"/>; returns how many.</summary>
    Task<int> DeleteJobsOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}

/// <summary>A job submitted to a provider for one request.</summary>
/// <param name="TaskId">The provider's id of the job (what its status endpoint takes).</param>
/// <param name="RunId">The run whose call submitted it (for operators; any run asking the same request may poll it).</param>
public sealed record ProviderJob(
    string OrgId,
    string Provider,
    string RequestKey,
    string TaskId,
    Guid RunId,
    DateTimeOffset SubmittedAt);

namespace Enrichflow.Providers;

/// <summary>
/// A provider some of whose calls run as jobs at the provider: submitted once (the paid request), then waited on by
/// polling, which is free (Sixtyfour's <c>-async</c> endpoints and <c>GET /job-status/{task_id}</c>). The
/// <see cref="EnrichmentCaller"/> records each job's task id in the store between the two, so a call resumed after a
/// crash waits on the job it already paid for instead of submitting a new one (docs/architecture.md §4).
/// <see cref="IEnrichmentProvider.CallAsync"/> of such a provider submits and waits without recording anything.
/// </summary>
public interface IJobProvider : IEnrichmentProvider
{
    /// <summary>True when <paramref name="request"/> runs as a job; false when <see cref="IEnrichmentProvider.CallAsync"/> answers it at once.</summary>
    bool RunsAsJob(EnrichmentRequest request);

    /// <summary>
    /// Submits the job: its task id, or an answer when there is no job to wait on (the provider answered at once, or
    /// the submission failed). Throws like <see cref="IEnrichmentProvider.CallAsync"/>.
    /// </summary>
    Task<JobSubmission> SubmitJobAsync(EnrichmentRequest request, CancellationToken cancellationToken);

    /// <summary>Polls the job <paramref name="taskId"/> (submitted for <paramref name="request"/>) until it ends or the wait gives up.</summary>
    Task<JobWait> WaitForJobAsync(string taskId, EnrichmentRequest request, CancellationToken cancellationToken);
}

/// <summary>What a job submission gave: the provider's task id, or an answer when there is no job (exactly one is set).</summary>
public readonly record struct JobSubmission(string? TaskId, EnrichmentAnswer? Answer)
{
    public static JobSubmission Job(string taskId) => new(taskId, null);

    public static JobSubmission Answered(EnrichmentAnswer answer) => new(null, answer);
}

/// <summary>How waiting on a job ended.</summary>
public enum JobEnd
{
    /// <summary>The job ended at the provider (done or failed): <see cref="JobWait.Answer"/> is its answer and waiting again gives nothing new.</summary>
    Finished,

    /// <summary>The provider does not know the job (<c>404</c>): it expired or was lost, and only a new submission gets an answer.</summary>
    Unknown,

    /// <summary>The wait gave up without the job's end (it took longer than the timeout, or polling failed): the job may still finish.</summary>
    Unsettled,
}

/// <summary>The end of a wait on a job and the answer the row gets.</summary>
public readonly record struct JobWait(JobEnd End, EnrichmentAnswer Answer);

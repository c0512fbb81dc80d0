using Enrichflow.Core.Storage;
using Npgsql;

namespace Enrichflow.Storage.Postgres;

public sealed partial class PostgresStore : IProviderJobStore
{
    public Task<ProviderJob?> FindJobAsync(string orgId, string provider, string requestKey, CancellationToken cancellationToken) =>
        ReadAsync(db => db.QueryFirstAsync(
            """
            SELECT org_id, provider, request_key, task_id, run_id, submitted_at FROM provider_jobs
            WHERE org_id = @org AND provider = @provider AND request_key = @key
            """,
            ReadJob, ("org", orgId), ("provider", provider), ("key", requestKey)), cancellationToken);

    public Task RecordJobAsync(ProviderJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        return WriteAsync(db => db.ExecuteAsync(
            """
            INSERT INTO provider_jobs (org_id, provider, request_key, task_id, run_id, submitted_at)
            VALUES (@org, @provider, @key, @task, @run, @submitted)
            ON CONFLICT (org_id, provider, request_key) DO UPDATE SET
                task_id = excluded.task_id, run_id = excluded.run_id, submitted_at = excluded.submitted_at
            """,
            ("org", job.OrgId), ("provider", job.Provider), ("key", job.RequestKey), ("task", job.TaskId),
            ("run", job.RunId), ("submitted", job.SubmittedAt)), cancellationToken);
    }

    public async Task<bool> ForgetJobAsync(string orgId, string provider, string requestKey, string taskId, CancellationToken cancellationToken) =>
        await WriteAsync(db => db.ExecuteAsync(
            "DELETE FROM provider_jobs WHERE org_id = @org AND provider = @provider AND request_key = @key AND task_id = @task",
            ("org", orgId), ("provider", provider), ("key", requestKey), ("task", taskId)), cancellationToken) > 0;

    public Task<int> DeleteJobsOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        WriteAsync(db => db.ExecuteAsync("DELETE FROM provider_jobs WHERE submitted_at < @cutoff", ("cutoff", cutoff)), cancellationToken);

    private static ProviderJob ReadJob(NpgsqlDataReader reader) => new(
        OrgId: reader.GetString(0),
        Provider: reader.GetString(1),
        RequestKey: reader.GetString(2),
        TaskId: reader.GetString(3),
        RunId: reader.GetGuid(4),
        SubmittedAt: reader.GetTime(5));
}

namespace Enrichflow.Dispatch.Hangfire;

/// <summary>
/// How units travel through Hangfire (section <c>Dispatch:Hangfire</c>, docs/architecture.md §5): the PostgreSQL
/// database its jobs live in, its schema and queue, and how soon a job a dead worker fetched is handed to another.
/// </summary>
public sealed class HangfireDispatchOptions
{
    public const string Section = "Dispatch:Hangfire";

    /// <summary>The Npgsql connection string of the database Hangfire keeps its jobs in (usually the store's).</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>The schema of Hangfire's tables; created when missing.</summary>
    public string Schema { get; set; } = "hangfire";

    /// <summary>The Hangfire queue that carries units (lower-case letters, digits, '_' and '-').</summary>
    public string Queue { get; set; } = "enrichflow_units";

    /// <summary>
    /// How long a fetched job stays invisible to other workers without a keep-alive (Hangfire's sliding invisibility
    /// timeout): a worker that died hands its units on after about this long.
    /// </summary>
    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often an idle Hangfire worker looks for a job, besides being woken by PostgreSQL notifications.</summary>
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Units waiting or running at once per worker thread of the cluster (about 2, docs/architecture.md §5).</summary>
    public int JobsPerWorker { get; set; } = 2;

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return $"{Section}:ConnectionString must name the PostgreSQL database Hangfire uses.";
        }

        if (string.IsNullOrEmpty(Queue) || !Queue.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-'))
        {
            yield return $"{Section}:Queue must be lower-case letters, digits, '_' or '-' (was '{Queue}').";
        }

        if (InvisibilityTimeout < TimeSpan.FromSeconds(5))
        {
            yield return $"{Section}:InvisibilityTimeout must be at least 5 seconds (was {InvisibilityTimeout}).";
        }

        if (QueuePollInterval < TimeSpan.FromMilliseconds(100))
        {
            yield return $"{Section}:QueuePollInterval must be at least 100 ms (was {QueuePollInterval}).";
        }

        if (JobsPerWorker is < 1 or > 16)
        {
            yield return $"{Section}:JobsPerWorker must be between 1 and 16 (was {JobsPerWorker}).";
        }
    }
}

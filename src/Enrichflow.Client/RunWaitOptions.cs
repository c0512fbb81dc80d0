using Enrichflow.Client.Models;

namespace Enrichflow.Client;

/// <summary>How <see cref="EnrichflowClient.WaitForRunAsync"/> and <see cref="EnrichflowClient.RunAndWaitAsync"/> wait.</summary>
public sealed record RunWaitOptions
{
    /// <summary>Between two polls of live status; <see cref="EnrichflowClientOptions.PollInterval"/> when null.</summary>
    public TimeSpan? PollInterval { get; init; }

    /// <summary>Told every live status polled, the last one the run's end.</summary>
    public IProgress<LiveStatus>? Progress { get; init; }

    /// <summary>When the wait is cancelled, cancel the run on the server too (true by default).</summary>
    public bool CancelRunOnCancellation { get; init; } = true;

    /// <summary>A run that ends <c>failed</c> throws <see cref="EnrichflowRunFailedException"/> (true by default); false returns its status.</summary>
    public bool ThrowOnFailure { get; init; } = true;
}

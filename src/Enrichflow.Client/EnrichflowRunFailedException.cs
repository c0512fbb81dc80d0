using Enrichflow.Client.Models;

namespace Enrichflow.Client;

/// <summary>A run that <see cref="EnrichflowClient.RunAndWaitAsync"/> waited for ended <c>failed</c>; <see cref="Status"/> is its last live status.</summary>
public sealed class EnrichflowRunFailedException(LiveStatus status)
    : Exception($"Run {status.RunId} failed: {status.ErrorMessage ?? status.StatusReason ?? "no reason given"}")
{
    public LiveStatus Status { get; } = status;

    public string RunId => Status.RunId;
}

namespace Enrichflow.Core.Storage;

/// <summary>
/// Carries ready work units to whatever executes them: workers in this process, or (scaled out) Hangfire
/// jobs on worker machines. The store's unit table stays the source of truth.
/// </summary>
public interface IWorkDispatcher
{
    /// <summary>Says new units may be ready (a run was queued, a unit committed).</summary>
    void NotifyWorkAvailable();

    /// <summary>Asks every node to abort the run's in-flight units (cancel, pause).</summary>
    ValueTask AbortRunAsync(Guid runId, CancellationToken cancellationToken);
}

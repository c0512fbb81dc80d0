using Enrichflow.Client.Models;

namespace Enrichflow.Client;

/// <summary>Starting a run and waiting for its end, with progress.</summary>
public sealed partial class EnrichflowClient
{
    /// <summary>
    /// Starts a run and polls its live status until it is completed, failed or cancelled (a paused run is waited for:
    /// <c>resume</c> continues it). Returns the last status. A failed run throws <see cref="EnrichflowRunFailedException"/>
    /// unless <see cref="RunWaitOptions.ThrowOnFailure"/> is false; cancelling <paramref name="cancellationToken"/> cancels
    /// the run on the server too unless <see cref="RunWaitOptions.CancelRunOnCancellation"/> is false.
    /// </summary>
    public async Task<LiveStatus> RunAndWaitAsync(string workflowId, RunRequest? request = null, RunWaitOptions? wait = null, RunStartOptions? start = null,
        CancellationToken cancellationToken = default)
    {
        var started = await StartRunAsync(workflowId, request, start, cancellationToken).ConfigureAwait(false);
        return await WaitForRunAsync(started.JobId, wait, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Polls a run's live status until it ends (see <see cref="RunAndWaitAsync"/>).</summary>
    public async Task<LiveStatus> WaitForRunAsync(string runId, RunWaitOptions? wait = null, CancellationToken cancellationToken = default)
    {
        wait ??= new RunWaitOptions();
        var interval = wait.PollInterval ?? _options.PollInterval;
        try
        {
            while (true)
            {
                var status = await GetLiveStatusAsync(runId, cancellationToken).ConfigureAwait(false);
                wait.Progress?.Report(status);
                if (status.IsTerminal)
                {
                    if (status.OverallStatus == RunStatuses.Failed && wait.ThrowOnFailure)
                    {
                        throw new EnrichflowRunFailedException(status);
                    }

                    return status;
                }

                await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && wait.CancelRunOnCancellation)
        {
            // The caller gave up: the run stops too. The cancel gets its own short deadline, as the caller's token is spent.
            using var cancelDeadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await CancelRunAsync(runId, cancelDeadline.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or EnrichflowApiException or OperationCanceledException)
            {
                // The wait's cancellation is what the caller sees; a cancel that could not be sent does not replace it.
            }

            throw;
        }
    }
}

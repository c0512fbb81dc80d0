using Enrichflow.Engine.Estimates;

namespace Enrichflow.Cli.Run;

/// <summary>A result file copied to <c>--out</c>: its name (as the API's download links name it), block, rows and bytes.</summary>
internal sealed record CopiedFile(string File, string Path, string BlockId, string Format, long Rows, long Bytes, string? Message);

/// <summary>How a run ended, for the summary and the last JSON line.</summary>
internal sealed record RunOutcome(string Event, int ExitCode, RunProgress Progress, string OutDirectory, IReadOnlyList<CopiedFile> Files, string? DataDirectory);

/// <summary>
/// Where <c>enrichflow run</c> reports: a live Spectre.Console display on a terminal (<see cref="LiveReport"/>), or one JSON
/// object per line (<see cref="JsonLinesReport"/>) when stdout is not a terminal or <c>--json</c> is given.
/// </summary>
internal abstract class RunReport
{
    /// <summary>How often progress is read from the live status and shown.</summary>
    public abstract TimeSpan Interval { get; }

    /// <summary>Shows what happens before the run starts (migrating the store, storing the input); <paramref name="work"/> reports bytes done of a known total.</summary>
    public abstract Task<T> StepAsync<T>(string what, long? totalBytes, Func<IProgress<long>, Task<T>> work);

    public abstract void Estimate(WorkflowEstimate estimate, string input);

    public abstract void Started(Guid runId, string workflowId, string input, long? rowsEstimate);

    /// <summary>
    /// Shows progress until <paramref name="ended"/> completes: <paramref name="read"/> gives the progress at each
    /// <see cref="Interval"/>. Returns the last progress read.
    /// </summary>
    public abstract Task<RunProgress> FollowAsync(Func<CancellationToken, Task<RunProgress>> read, Task ended, CancellationToken cancellationToken);

    /// <summary>The run is being cancelled: a Ctrl+C was received, or it paused with nobody to resume it; <paramref name="why"/> says which.</summary>
    public abstract void Cancelling(string why);

    public abstract void Ended(RunOutcome outcome);
}

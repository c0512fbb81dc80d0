using System.Text.Json;
using System.Text.Json.Serialization;
using Enrichflow.Engine.Estimates;

namespace Enrichflow.Cli.Run;

/// <summary>
/// Machine-readable progress on stdout, one JSON object per line (README "One-shot runs"): <c>started</c>, then
/// <c>progress</c> every second, then one of <c>completed</c>, <c>failed</c>, <c>cancelled</c>; <c>--dry-run</c> prints one
/// <c>estimate</c>. Field names are snake_case like the API's.
/// </summary>
internal sealed class JsonLinesReport(TextWriter output) : RunReport
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly Lock _gate = new();

    public override TimeSpan Interval => TimeSpan.FromSeconds(1);

    public override Task<T> StepAsync<T>(string what, long? totalBytes, Func<IProgress<long>, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        return work(new Progress<long>(_ => { }));
    }

    public override void Estimate(WorkflowEstimate estimate, string input) =>
        Write(new EstimateLine("estimate", input, estimate));

    public override void Started(Guid runId, string workflowId, string input, long? rowsEstimate) =>
        Write(new StartedLine("started", runId, workflowId, input, rowsEstimate));

    public override async Task<RunProgress> FollowAsync(Func<CancellationToken, Task<RunProgress>> read, Task ended, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        var progress = await read(cancellationToken);
        Write(ProgressLine.From("progress", progress));
        while (!ended.IsCompleted)
        {
            await Task.WhenAny(ended, Task.Delay(Interval, cancellationToken));
            if (ended.IsCompleted)
            {
                break;
            }

            progress = await read(cancellationToken);
            Write(ProgressLine.From("progress", progress));
        }

        return progress;
    }

    public override void Cancelling(string why) => Write(new NoticeLine("cancelling", why));

    public override void Ended(RunOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var line = ProgressLine.From(outcome.Event, outcome.Progress);
        Write(new EndLine(outcome.Event, line.RunId, line.Status, outcome.ExitCode, line.ElapsedSeconds, line.RowsIn, line.CreditsUsed,
            line.StatusReason, line.ErrorMessage, line.Blocks, outcome.OutDirectory, outcome.Files, outcome.DataDirectory));
    }

    private void Write<T>(T line)
    {
        var text = JsonSerializer.Serialize(line, Options);
        lock (_gate)
        {
            output.WriteLine(text);
            output.Flush();
        }
    }

    private sealed record EstimateLine(string Event, string Input, WorkflowEstimate Estimate);

    private sealed record StartedLine(string Event, Guid RunId, string WorkflowId, string Input, long? RowsEstimate);

    private sealed record NoticeLine(string Event, string Message);

    private sealed record ProgressLine(string Event, Guid RunId, string Status, int ProgressPercentage, double ElapsedSeconds, long RowsIn, double CreditsUsed,
        string? StatusReason, string? ErrorMessage, IReadOnlyList<BlockProgress> Blocks)
    {
        public static ProgressLine From(string name, RunProgress p) =>
            new(name, p.RunId, p.Status, p.ProgressPercentage, Math.Round(p.ElapsedSeconds, 2), p.RowsIn, Math.Round(p.CreditsUsed, 4), p.StatusReason, p.ErrorMessage, p.Blocks);
    }

    private sealed record EndLine(string Event, Guid RunId, string Status, int ExitCode, double ElapsedSeconds, long RowsIn, double CreditsUsed,
        string? StatusReason, string? ErrorMessage, IReadOnlyList<BlockProgress> Blocks, string Out, IReadOnlyList<CopiedFile> Files, string? DataDirectory);
}

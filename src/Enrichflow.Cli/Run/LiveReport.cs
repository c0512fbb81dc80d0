using System.Globalization;
using Enrichflow.Engine.Estimates;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Enrichflow.Cli.Run;

/// <summary>
/// The terminal display of <c>enrichflow run</c> (Spectre.Console): a live table per block (rows in and out, rows/s,
/// ETA, rejects, credits) refreshed from the run's live status, then a summary table and the files written.
/// </summary>
internal sealed class LiveReport(IAnsiConsole console) : RunReport
{
    private const int BarWidth = 60;

    private Guid _runId;
    private string _input = "";
    private bool _cancelling;

    public override TimeSpan Interval => TimeSpan.FromMilliseconds(250);

    public override async Task<T> StepAsync<T>(string what, long? totalBytes, Func<IProgress<long>, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (totalBytes is not { } total)
        {
            return await console.Status().StartAsync(what, _ => work(new Progress<long>(_ => { })));
        }

        T result = default!;
        await console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(what, maxValue: Math.Max(1, total));
                result = await work(new SynchronousProgress(done => task.Value = done));
                task.Value = task.MaxValue;
            });
        return result;
    }

    public override void Estimate(WorkflowEstimate estimate, string input)
    {
        ArgumentNullException.ThrowIfNull(estimate);
        console.MarkupLine($"[bold]Estimate[/] for {Markup.Escape(input)}: {Number(estimate.RowsIn)} rows{(estimate.RowsInExact ? "" : " (estimated)")}, sample of {Number(estimate.SampleRows)}; nothing was run.");
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("Block", "Basis", "Rows in", "Provider calls", "Cache hits", "Credits");
        foreach (var block in estimate.Blocks)
        {
            table.AddRow(Markup.Escape($"{block.BlockId} ({block.BlockName})"), block.Basis, Number(block.RowsInEstimate), Number(block.ProviderCallsEstimate),
                Number(block.CacheHitsEstimate), Credits(block.CreditsEstimate));
        }

        table.AddRow("[bold]total[/]", "", "", $"[bold]{Number(estimate.ProviderCallsEstimate)}[/]", "", $"[bold]{Credits(estimate.CreditsEstimate)}[/]");
        Align(table, 2, 3, 4, 5);
        console.Write(table);
        foreach (var note in estimate.Notes)
        {
            console.MarkupLine($"[grey]{Markup.Escape(note)}[/]");
        }
    }

    public override void Started(Guid runId, string workflowId, string input, long? rowsEstimate)
    {
        _runId = runId;
        _input = input;
        console.MarkupLine($"Run [bold]{runId}[/] of workflow {Markup.Escape(workflowId)} over {Markup.Escape(input)}{(rowsEstimate is { } rows ? $" (about {Number(rows)} rows)" : "")}. Ctrl+C cancels and keeps finished work.");
    }

    public override async Task<RunProgress> FollowAsync(Func<CancellationToken, Task<RunProgress>> read, Task ended, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        var progress = await read(cancellationToken);
        await console.Live(View(progress)).AutoClear(true).Overflow(VerticalOverflow.Ellipsis).StartAsync(async ctx =>
        {
            while (!ended.IsCompleted)
            {
                await Task.WhenAny(ended, Task.Delay(Interval, cancellationToken));
                progress = await read(cancellationToken);
                ctx.UpdateTarget(View(progress));
                ctx.Refresh();
            }
        });
        return progress;
    }

    public override void Cancelling(string why) => _cancelling = true;

    public override void Ended(RunOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var p = outcome.Progress;
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Summary[/]")
            .AddColumns("Block", "Status", "Rows in", "Rows out", "Rejects", "Credits", "Rows/s", "Time");
        foreach (var block in p.Blocks)
        {
            var seconds = block.RowsPerSecond > 0 ? block.RowsIn / block.RowsPerSecond : 0;
            table.AddRow(Markup.Escape(block.BlockId), StatusMarkup(block.Status), Number(block.RowsIn), Number(block.RowsOut), Number(block.RowsRejected + block.RowsFailed),
                Credits(block.CreditsUsed), block.RowsPerSecond > 0 ? Number((long)block.RowsPerSecond) : "-", Seconds(seconds));
        }

        table.AddRow("[bold]run[/]", StatusMarkup(p.Status), Number(p.RowsIn), Number(p.Blocks.Count > 0 ? p.Blocks[^1].RowsOut : 0),
            Number(p.Blocks.Sum(b => b.RowsRejected + b.RowsFailed)), Credits(p.CreditsUsed),
            p.ElapsedSeconds > 0 ? Number((long)(p.RowsIn / p.ElapsedSeconds)) : "-", Seconds(p.ElapsedSeconds));
        Align(table, 2, 3, 4, 5, 6, 7);
        console.Write(table);

        var files = new Table().Border(TableBorder.Rounded).Title($"[bold]Files in {Markup.Escape(outcome.OutDirectory)}[/]").AddColumns("File", "Block", "Rows", "Size");
        foreach (var file in outcome.Files)
        {
            files.AddRow(Markup.Escape(file.File), Markup.Escape(file.BlockId), Number(file.Rows), Size(file.Bytes));
        }

        Align(files, 2, 3);
        if (outcome.Files.Count > 0)
        {
            console.Write(files);
        }

        var why = p.ErrorMessage ?? p.StatusReason;
        console.MarkupLine(outcome.Event switch
        {
            "completed" => $"[green]Completed[/] in {Seconds(p.ElapsedSeconds)}: {outcome.Files.Count} file(s) in {Markup.Escape(outcome.OutDirectory)}.",
            "failed" => $"[red]Failed[/] after {Seconds(p.ElapsedSeconds)}: {Markup.Escape(why ?? "no reason recorded")}. Partial files in {Markup.Escape(outcome.OutDirectory)}.",
            _ => $"[yellow]Cancelled[/] after {Seconds(p.ElapsedSeconds)}{(why is null ? "" : $" ({Markup.Escape(why)})")}. Partial files in {Markup.Escape(outcome.OutDirectory)}.",
        });
        if (outcome.DataDirectory is { } data)
        {
            console.MarkupLine($"[grey]The run's store and blobs are kept in {Markup.Escape(data)}.[/]");
        }
    }

    private IRenderable View(RunProgress p)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("Block", "Status", "Rows in", "Rows out", "Rows/s", "ETA", "Rejects", "Credits");
        foreach (var block in p.Blocks)
        {
            var rowsIn = block.RowsTotal is { } total && block.Status != "completed" ? $"{Number(block.RowsIn)} / {Number(total)}" : Number(block.RowsIn);
            table.AddRow(Markup.Escape(block.BlockId), StatusMarkup(block.Status), rowsIn, Number(block.RowsOut),
                block.RowsPerSecond > 0 ? Number((long)block.RowsPerSecond) : "-", block.EtaSeconds is { } eta ? Seconds(eta) : "-",
                Number(block.RowsRejected + block.RowsFailed), Credits(block.CreditsUsed));
        }

        Align(table, 2, 3, 4, 5, 6, 7);
        var done = Math.Clamp(p.ProgressPercentage, 0, 100) * BarWidth / 100;
        var bar = new Markup($"[green]{new string('█', done)}[/][grey]{new string('░', BarWidth - done)}[/]");
        var state = _cancelling ? "[yellow]cancelling[/]" : StatusMarkup(p.Status);
        var header = new Markup($"Run {_runId.ToString()[..8]} over {Markup.Escape(Path.GetFileName(_input))}: {state}  {p.ProgressPercentage}%  {Seconds(p.ElapsedSeconds)}  {Credits(p.CreditsUsed)} credits");
        return new Rows(header, bar, table);
    }

    private static void Align(Table table, params int[] columns)
    {
        foreach (var column in columns)
        {
            table.Columns[column].RightAligned();
        }
    }

    private static string StatusMarkup(string status) => status switch
    {
        "completed" => "[green]completed[/]",
        "running" => "[blue]running[/]",
        "failed" => "[red]failed[/]",
        "cancelled" => "[yellow]cancelled[/]",
        "paused" => "[yellow]paused[/]",
        _ => $"[grey]{Markup.Escape(status)}[/]",
    };

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Credits(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Seconds(double seconds) => seconds < 60
        ? seconds.ToString("0.0", CultureInfo.InvariantCulture) + " s"
        : TimeSpan.FromSeconds(Math.Round(seconds)).ToString(seconds < 3600 ? @"m\:ss" : @"h\:mm\:ss", CultureInfo.InvariantCulture);

    private static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        _ => (bytes / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
    };

    /// <summary>Reports on the caller's thread (a <see cref="Progress{T}"/> would post to the thread pool, after the step ended).</summary>
    private sealed class SynchronousProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}

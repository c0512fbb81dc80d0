using System.CommandLine;
using System.Globalization;
using Enrichflow.Client;
using Enrichflow.Client.Models;
using Spectre.Console;

namespace Enrichflow.Cli.Remote;

/// <summary><c>enrichflow runs start|list|get|watch|cancel|download</c> against a server.</summary>
internal static class RunsCommand
{
    private static readonly string[] Formats = [ResultFormats.Csv, ResultFormats.Json, ResultFormats.Ndjson, ResultFormats.Rejects];

    public static Command Create()
    {
        var options = new RemoteOptions();
        return options.Group("runs", "Start, follow, cancel and download runs on a server (docs/api.md §3).",
            Start(options), List(options), Get(options), Watch(options), Cancel(options), Download(options));
    }

    private static Command Start(RemoteOptions options)
    {
        var id = new Argument<string>("WORKFLOW_ID") { Description = "The workflow to run." };
        var input = new Option<string?>("--input")
        {
            Description = "The rows: uploaded for a read_csv workflow, sent as webhook_payload for a webhook workflow (.csv, .json, .jsonl, .ndjson).",
            HelpName = "FILE",
        };
        var wait = new Option<bool>("--wait") { Description = "Follow the run with live progress until it ends (exit 4 when it fails or is cancelled)." };
        var formats = new Option<string[]>("--result-format") { Description = "More result formats besides csv: json, ndjson (repeatable).", HelpName = "FORMAT", AllowMultipleArgumentsPerToken = true };
        var command = new Command("start", "Start a run of a workflow.") { id, input, wait, formats };
        RemoteCommand.SetAction(command, options, async (parse, context, cancellationToken) =>
        {
            var inputPath = parse.GetValue(input);
            if (inputPath is not null && !File.Exists(inputPath))
            {
                throw new CliInputException($"input file '{inputPath}' does not exist.");
            }

            var workflow = await context.Client.GetWorkflowAsync(parse.GetValue(id)!, cancellationToken);
            var started = await RunInputs.StartAsync(context.Client, workflow, inputPath, new RunStartOptions { ResultFormats = parse.GetValue(formats) ?? [] }, cancellationToken);
            if (context.Json && !parse.GetValue(wait))
            {
                RemoteOutput.WriteJson(started, EnrichflowJsonContext.Default.RunStarted);
                return RemoteCommand.Ok;
            }

            if (!context.Json)
            {
                context.Console.WriteLine($"Started run {started.JobId} of workflow {started.WorkflowId} ({started.Status}).");
            }

            return parse.GetValue(wait) ? await RunWatch.WatchAsync(context, started.JobId, cancellationToken) : RemoteCommand.Ok;
        });
        return command;
    }

    private static Command List(RemoteOptions options)
    {
        var status = new Option<string?>("--status") { Description = "queued, running, paused, completed, failed, cancelled or active.", HelpName = "STATUS" };
        var workflow = new Option<string?>("--workflow") { Description = "Only this workflow's runs.", HelpName = "WORKFLOW_ID" };
        var limit = new Option<int?>("--limit") { Description = "At most this many (1-500; the server's default 100).", HelpName = "N" };
        var command = new Command("list", "List runs, newest first.") { status, workflow, limit };
        RemoteCommand.SetAction(command, options, async (parse, context, cancellationToken) =>
        {
            var runs = await context.Client.ListRunsAsync(new RunListQuery(parse.GetValue(status), parse.GetValue(workflow), parse.GetValue(limit)), cancellationToken);
            if (context.Json)
            {
                RemoteOutput.WriteJson(runs, EnrichflowJsonContext.Default.ListRun);
                return RemoteCommand.Ok;
            }

            var table = RemoteOutput.Table("JOB ID", "WORKFLOW", "STATUS", "ROWS IN", "ROWS OUT", "REJECTED", "CREDITS", "QUEUED", "DURATION");
            foreach (var run in runs)
            {
                RemoteOutput.Row(table, run.JobId, run.WorkflowName ?? run.WorkflowId, run.Status, RemoteOutput.Number(run.Metrics?.RowsIn), RemoteOutput.Number(run.Metrics?.RowsOut),
                    RemoteOutput.Number(run.Metrics?.RowsRejected), RemoteOutput.Number(run.Metrics?.CreditsUsed), RemoteOutput.Time(run.QueuedAt), RemoteOutput.Duration(run.DurationMs));
            }

            context.Console.Write(table);
            context.Console.WriteLine($"{runs.Count} run(s).");
            return RemoteCommand.Ok;
        });
        return command;
    }

    private static Command Get(RemoteOptions options)
    {
        var id = new Argument<string>("RUN_ID") { Description = "The run's id (job_id)." };
        var command = new Command("get", "Show a run's live status, block by block.") { id };
        RemoteCommand.SetAction(command, options, async (parse, context, cancellationToken) =>
        {
            var status = await context.Client.GetLiveStatusAsync(parse.GetValue(id)!, cancellationToken);
            if (context.Json)
            {
                RemoteOutput.WriteJson(status, EnrichflowJsonContext.Default.LiveStatus);
                return RemoteCommand.Ok;
            }

            RunWatch.WriteSummary(context.Console, status);
            return RemoteCommand.Ok;
        });
        return command;
    }

    private static Command Watch(RemoteOptions options)
    {
        var id = new Argument<string>("RUN_ID") { Description = "The run's id (job_id)." };
        var command = new Command("watch", "Follow a run with live progress per block until it ends (exit 4 when it fails or is cancelled; --json: one live status per line).") { id };
        RemoteCommand.SetAction(command, options, (parse, context, cancellationToken) => RunWatch.WatchAsync(context, parse.GetValue(id)!, cancellationToken));
        return command;
    }

    private static Command Cancel(RemoteOptions options)
    {
        var id = new Argument<string>("RUN_ID") { Description = "The run's id (job_id)." };
        var command = new Command("cancel", "Cancel a run (a run that already ended keeps its status).") { id };
        RemoteCommand.SetAction(command, options, async (parse, context, cancellationToken) =>
        {
            var status = await context.Client.CancelRunAsync(parse.GetValue(id)!, cancellationToken);
            if (context.Json)
            {
                RemoteOutput.WriteJson(status, EnrichflowJsonContext.Default.JobStatus);
            }
            else
            {
                context.Console.WriteLine($"Run {status.JobId} is {status.Status}.");
            }

            return RemoteCommand.Ok;
        });
        return command;
    }

    private static Command Download(RemoteOptions options)
    {
        var id = new Argument<string>("RUN_ID") { Description = "The run's id (job_id)." };
        var output = new Option<string>("--out") { Description = "The directory to write the files into (created when missing).", Required = true, HelpName = "DIR" };
        var format = new Option<string>("--format") { Description = "csv (default), json, ndjson or rejects.", HelpName = "FORMAT", DefaultValueFactory = _ => ResultFormats.Csv };
        var command = new Command("download", "Download a run's result files of one format (one per block, the final output last), streamed to disk.") { id, output, format };
        RemoteCommand.SetAction(command, options, async (parse, context, cancellationToken) =>
        {
            var chosen = parse.GetValue(format)!.ToLowerInvariant();
            if (!Formats.Contains(chosen))
            {
                throw new CliInputException($"--format '{chosen}' is not one of {string.Join(", ", Formats)}.");
            }

            var directory = parse.GetValue(output)!;
            Directory.CreateDirectory(directory);
            var files = await context.Client.GetDownloadLinksAsync(parse.GetValue(id)!, chosen, cancellationToken: cancellationToken);
            var written = new List<(ResultFile File, string Path, long Bytes)>();
            foreach (var file in files)
            {
                var path = Path.Combine(directory, Path.GetFileName(file.Filename));
                var target = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                await using (target)
                {
                    await context.Client.DownloadResultAsync(file, target, cancellationToken);
                }

                written.Add((file, path, new FileInfo(path).Length));
            }

            if (context.Json)
            {
                RemoteOutput.WriteJson(files, EnrichflowJsonContext.Default.ListResultFile);
                return RemoteCommand.Ok;
            }

            var table = RemoteOutput.Table("FILE", "BLOCK", "ROWS", "BYTES", "PATH");
            foreach (var (file, path, bytes) in written)
            {
                RemoteOutput.Row(table, file.Filename, file.BlockId, RemoteOutput.Number(file.RowCount), bytes.ToString("N0", CultureInfo.InvariantCulture), path);
            }

            context.Console.Write(table);
            return RemoteCommand.Ok;
        });
        return command;
    }
}

using System.CommandLine;
using Enrichflow.Client;
using Enrichflow.Client.Models;
using Spectre.Console;

namespace Enrichflow.Cli.Remote;

/// <summary>
/// <c>enrichflow notebooks list|get|download|delete</c> against a server. The API has no create: a notebook is made by an
/// <c>append_to_notebook</c> block (docs/api.md §7).
/// </summary>
internal static class NotebooksCommand
{
    public static Command Create()
    {
        var options = new RemoteOptions();
        return options.Group("notebooks", "List, show, download and delete the notebooks of a server (docs/api.md §7; append_to_notebook blocks create them).",
            List(options), Get(options), Download(options), Delete(options));
    }

    private static Command List(RemoteOptions options)
    {
        var command = new Command("list", "List the notebooks.");
        RemoteCommand.SetAction(command, options, async (parse, context, cancellationToken) =>
        {
            var notebooks = await context.Client.ListNotebooksAsync(cancellationToken);
            if (context.Json)
            {
                RemoteOutput.WriteJson(notebooks, EnrichflowJsonContext.Default.ListNotebook);
                return RemoteCommand.Ok;
            }

            Write(context.Console, notebooks);
            return RemoteCommand.Ok;
        });
        return command;
    }

    private static Command Get(RemoteOptions options)
    {
        var id = new Argument<string>("NOTEBOOK_ID") { Description = "The notebook's id." };
        var command = new Command("get", "Show a notebook.") { id };
        RemoteCommand.SetAction(command, options, async (parse, context, cancellationToken) =>
        {
            var notebook = await context.Client.GetNotebookAsync(parse.GetValue(id)!, cancellationToken);
            if (context.Json)
            {
                RemoteOutput.WriteJson(notebook, EnrichflowJsonContext.Default.Notebook);
                return RemoteCommand.Ok;
            }

            Write(context.Console, [notebook]);
            return RemoteCommand.Ok;
        });
        return command;
    }

    private static Command Download(RemoteOptions options)
    {
        var id = new Argument<string>("NOTEBOOK_ID") { Description = "The notebook's id." };
        var output = new Option<string>("--out") { Description = "The directory to write the file into.", Required = true, HelpName = "DIR" };
        var format = new Option<string>("--format") { Description = "csv (default) or ndjson.", HelpName = "FORMAT", DefaultValueFactory = _ => ResultFormats.Csv };
        var command = new Command("download", "Download a notebook's rows, streamed to disk.") { id, output, format };
        RemoteCommand.SetAction(command, options, async (parse, context, cancellationToken) =>
        {
            var chosen = parse.GetValue(format)!.ToLowerInvariant();
            if (chosen is not (ResultFormats.Csv or ResultFormats.Ndjson))
            {
                throw new CliInputException($"--format '{chosen}' is not csv or ndjson.");
            }

            Directory.CreateDirectory(parse.GetValue(output)!);
            var files = await context.Client.GetNotebookDownloadLinksAsync(parse.GetValue(id)!, chosen, cancellationToken);
            foreach (var file in files)
            {
                var path = Path.Combine(parse.GetValue(output)!, Path.GetFileName(file.Filename));
                var target = File.Create(path);
                await using (target)
                {
                    await context.Client.DownloadResultAsync(file, target, cancellationToken);
                }

                if (!context.Json)
                {
                    context.Console.WriteLine($"{path} ({RemoteOutput.Number(file.RowCount)} rows)");
                }
            }

            if (context.Json)
            {
                RemoteOutput.WriteJson(files, EnrichflowJsonContext.Default.ListResultFile);
            }

            return RemoteCommand.Ok;
        });
        return command;
    }

    private static Command Delete(RemoteOptions options)
    {
        var id = new Argument<string>("NOTEBOOK_ID") { Description = "The notebook's id." };
        var command = new Command("delete", "Delete a notebook with its rows and keys.") { id };
        RemoteCommand.SetAction(command, options, async (parse, context, cancellationToken) =>
        {
            await context.Client.DeleteNotebookAsync(parse.GetValue(id)!, cancellationToken);
            if (!context.Json)
            {
                context.Console.WriteLine($"Deleted notebook {parse.GetValue(id)}.");
            }

            return RemoteCommand.Ok;
        });
        return command;
    }

    private static void Write(IAnsiConsole console, IEnumerable<Notebook> notebooks)
    {
        var table = RemoteOutput.Table("ID", "NAME", "ROWS", "KEY FIELDS", "CREATED", "UPDATED");
        foreach (var n in notebooks)
        {
            RemoteOutput.Row(table, n.Id, n.Name, RemoteOutput.Number(n.RowCount), n.KeyFields is { Count: > 0 } keys ? string.Join(", ", keys) : "-", RemoteOutput.Time(n.CreatedAt), RemoteOutput.Time(n.UpdatedAt));
        }

        console.Write(table);
    }
}

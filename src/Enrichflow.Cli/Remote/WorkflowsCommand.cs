using System.CommandLine;
using Enrichflow.Client;
using Enrichflow.Client.Models;
using Spectre.Console;

namespace Enrichflow.Cli.Remote;

/// <summary><c>enrichflow workflows list|get|create|validate|delete</c> against a server.</summary>
internal static class WorkflowsCommand
{
    public static Command Create()
    {
        var options = new RemoteOptions();
        return options.Group("workflows", "Manage the workflows of a server (docs/api.md §2).",
            List(options), Get(options), CreateCommand(options), Validate(options), Delete(options));
    }

    private static Command List(RemoteOptions options)
    {
        var command = new Command("list", "List the workflows, most recently updated first.");
        RemoteCommand.SetAction(command, options, async (parse, context, cancellationToken) =>
        {
            var workflows = await context.Client.ListWorkflowsAsync(cancellationToken);
            if (context.Json)
            {
                RemoteOutput.WriteJson(workflows, EnrichflowJsonContext.Default.ListWorkflow);
                return RemoteCommand.Ok;
            }

            var table = RemoteOutput.Table("ID", "NAME", "STATUS", "STEP", "VERSION", "UPDATED", "LAST RUN");
            foreach (var w in workflows)
            {
                RemoteOutput.Row(table, w.Id, w.Name, w.Status, w.Step, w.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), RemoteOutput.Time(w.UpdatedAt), RemoteOutput.Time(w.LastRunDate));
            }

            context.Console.Write(table);
            context.Console.WriteLine($"{workflows.Count} workflow(s).");
            return RemoteCommand.Ok;
        });
        return command;
    }

    private static Command Get(RemoteOptions options)
    {
        var id = new Argument<string>("WORKFLOW_ID") { Description = "The workflow's id." };
        var command = new Command("get", "Show a workflow and its definition.") { id };
        RemoteCommand.SetAction(command, options, async (parse, context, cancellationToken) =>
        {
            return Show(context, await context.Client.GetWorkflowAsync(parse.GetValue(id)!, cancellationToken));
        });
        return command;
    }

    private static Command CreateCommand(RemoteOptions options)
    {
        var file = new Argument<string>("FILE") { Description = "A JSON file: {workflow_name, workflow_description, workflow_definition, id?}, or a bare {blocks, edges} definition." };
        var id = new Option<string?>("--id") { Description = "The workflow's id (else the file's id, else one the server makes).", HelpName = "ID" };
        var name = new Option<string?>("--name") { Description = "The workflow's name (else the file's workflow_name, else the file's name).", HelpName = "NAME" };
        var command = new Command("create", "Create a workflow from a JSON file.") { file, id, name };
        RemoteCommand.SetAction(command, options, async (parse, context, cancellationToken) =>
        {
            var request = await WorkflowFiles.ReadAsync(parse.GetValue(file)!, cancellationToken);
            request = request with
            {
                Id = parse.GetValue(id) ?? request.Id,
                WorkflowName = parse.GetValue(name) ?? request.WorkflowName,
            };
            return Show(context, await context.Client.CreateWorkflowAsync(request, cancellationToken));
        });
        return command;
    }

    private static Command Validate(RemoteOptions options)
    {
        var file = new Argument<string>("FILE") { Description = "A workflow JSON file (as for create)." };
        var command = new Command("validate", "Check a workflow definition on the server: every problem with its place, or valid (with warnings).") { file };
        RemoteCommand.SetAction(command, options, async (parse, context, cancellationToken) =>
        {
            var request = await WorkflowFiles.ReadAsync(parse.GetValue(file)!, cancellationToken);
            var result = await context.Client.ValidateWorkflowAsync(request.WorkflowDefinition, cancellationToken);
            if (context.Json)
            {
                RemoteOutput.WriteJson(result, EnrichflowJsonContext.Default.ValidationResult);
                return RemoteCommand.Ok;
            }

            context.Console.WriteLine("valid");
            foreach (var warning in result.Warnings ?? [])
            {
                context.Console.WriteLine($"warning: {warning}");
            }

            return RemoteCommand.Ok;
        });
        return command;
    }

    private static Command Delete(RemoteOptions options)
    {
        var id = new Argument<string>("WORKFLOW_ID") { Description = "The workflow's id." };
        var command = new Command("delete", "Delete a workflow (its runs, results and notebooks stay).") { id };
        RemoteCommand.SetAction(command, options, async (parse, context, cancellationToken) =>
        {
            var workflow = await context.Client.DeleteWorkflowAsync(parse.GetValue(id)!, cancellationToken);
            if (context.Json)
            {
                RemoteOutput.WriteJson(workflow, EnrichflowJsonContext.Default.Workflow);
                return RemoteCommand.Ok;
            }

            context.Console.WriteLine($"Deleted workflow {workflow.Id} ({workflow.Name}).");
            return RemoteCommand.Ok;
        });
        return command;
    }

    /// <summary>A workflow as JSON (<c>--json</c>) or as text.</summary>
    private static int Show(RemoteContext context, Workflow workflow)
    {
        if (context.Json)
        {
            RemoteOutput.WriteJson(workflow, EnrichflowJsonContext.Default.Workflow);
        }
        else
        {
            WriteWorkflow(context.Console, workflow);
        }

        return RemoteCommand.Ok;
    }

    private static void WriteWorkflow(IAnsiConsole console, Workflow workflow)
    {
        var summary = RemoteOutput.Table("ID", "NAME", "STATUS", "STEP", "VERSION", "CREATED", "UPDATED", "LAST RUN");
        RemoteOutput.Row(summary, workflow.Id, workflow.Name, workflow.Status, workflow.Step, workflow.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            RemoteOutput.Time(workflow.CreatedAt), RemoteOutput.Time(workflow.UpdatedAt), RemoteOutput.Time(workflow.LastRunDate));
        console.Write(summary);
        if (workflow.WorkflowDefinition is { } definition)
        {
            var blocks = RemoteOutput.Table("SEQ", "BLOCK ID", "BLOCK", "SPECS");
            foreach (var block in definition.Blocks.OrderBy(b => b.SequenceNumber))
            {
                var specs = RemoteOutput.Inline(block.Specs);
                RemoteOutput.Row(blocks, block.SequenceNumber.ToString(System.Globalization.CultureInfo.InvariantCulture), block.BlockId ?? $"block_{block.SequenceNumber}", block.BlockName,
                    specs.Length > 100 ? specs[..97] + "..." : specs);
            }

            console.Write(blocks);
            if (definition.Edges is { Count: > 0 } edges)
            {
                var table = RemoteOutput.Table("FROM", "TO", "CONDITION");
                foreach (var edge in edges)
                {
                    RemoteOutput.Row(table, edge.FromBlockId, edge.ToBlockId, edge.Condition);
                }

                console.Write(table);
            }
        }

        foreach (var warning in workflow.Warnings ?? [])
        {
            console.WriteLine($"warning: {warning}");
        }
    }
}

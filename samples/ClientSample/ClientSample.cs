using System.Text.Json.Nodes;
using Enrichflow.Client;
using Enrichflow.Client.Models;

namespace Enrichflow.Samples;

public static class ClientSample
{
    public static async Task RunAsync(Uri server, string apiKey, TextWriter output, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        var client = new EnrichflowClient(http, new EnrichflowClientOptions { BaseAddress = server, ApiKey = apiKey });

        // A workflow: rows from a webhook, emails checked (syntax only), invalid ones dropped.
        var definition = new WorkflowDefinition(
            [
                new WorkflowBlock(1, "webhook", BlockId: "input"),
                new WorkflowBlock(2, "validate_email", new JsonObject { ["email_field"] = "email", ["check_mx"] = false }, "check"),
                new WorkflowBlock(3, "filter", new JsonObject { ["expression"] = "[email_status] = 'valid'" }, "keep"),
            ],
            [new WorkflowEdge("input", "check"), new WorkflowEdge("check", "keep")]);
        var workflow = await client.CreateWorkflowAsync(new CreateWorkflowRequest("Leads", definition), cancellationToken);

        // Run it over three leads and wait for the end, told each block's progress on the way.
        var rows = new JsonArray(
            new JsonObject { ["name"] = "Ada Lovelace", ["email"] = "ada@example.com" },
            new JsonObject { ["name"] = "Bob", ["email"] = "not-an-email" },
            new JsonObject { ["name"] = "Grace Hopper", ["email"] = "grace@example.org" });
        var progress = new Progress<LiveStatus>(status => output.WriteLine(
            $"{status.OverallStatus} {status.OverallProgressPercentage}%: "
            + string.Join(", ", status.Blocks?.Select(b => $"{b.BlockId} {b.ProcessedCount}/{b.TotalCount}") ?? [])));
        var final = await client.RunAndWaitAsync(workflow.Id, new RunRequest { WebhookPayload = rows },
            new RunWaitOptions { Progress = progress }, cancellationToken: cancellationToken);

        // The final output (the last CSV file), streamed from the server.
        await using var csv = await client.OpenResultAsync(final.RunId, ResultFormats.Csv, cancellationToken);
        using var reader = new StreamReader(csv);
        output.Write(await reader.ReadToEndAsync(cancellationToken));
    }
}

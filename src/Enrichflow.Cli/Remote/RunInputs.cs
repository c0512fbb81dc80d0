using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Client;
using Enrichflow.Client.Models;
using nietras.SeparatedValues;

namespace Enrichflow.Cli.Remote;

/// <summary>
/// Turns <c>runs start --input FILE</c> into a run request for the workflow's source: a <c>read_csv</c> source gets the
/// file uploaded (streamed) and named by its handle; a <c>webhook</c> source gets the file's rows as <c>webhook_payload</c>
/// (CSV with a header, a JSON array or object, or NDJSON/JSONL lines).
/// </summary>
internal static class RunInputs
{
    private static readonly string[] Extensions = [".csv", ".json", ".jsonl", ".ndjson"];

    public static async Task<RunRequest> RequestAsync(EnrichflowClient client, Workflow workflow, string? input, CancellationToken cancellationToken)
    {
        if (input is null)
        {
            return new RunRequest();
        }

        if (!File.Exists(input))
        {
            throw new CliInputException($"input file '{input}' does not exist.");
        }

        var extension = Path.GetExtension(input).ToLowerInvariant();
        if (!Extensions.Contains(extension))
        {
            throw new CliInputException($"input file '{input}' is not .csv, .json, .jsonl or .ndjson.");
        }

        var source = workflow.WorkflowDefinition?.Source;
        var sourceName = source?.BlockName.ToLowerInvariant();
        switch (sourceName)
        {
            case "read_csv":
                var upload = await client.UploadFileAsync(input, cancellationToken);
                return RunRequest.WithUpload(upload.HandleId);
            case "webhook":
                return new RunRequest { WebhookPayload = await ReadRowsAsync(input, extension, cancellationToken) };
            default:
                throw new CliInputException($"workflow {workflow.Id} starts with '{source?.BlockName ?? "no source block"}', which takes no input file; run it without --input.");
        }
    }

    private static async Task<JsonNode> ReadRowsAsync(string path, string extension, CancellationToken cancellationToken)
    {
        if (extension == ".csv")
        {
            return ReadCsv(path);
        }

        if (extension == ".json")
        {
            using var document = await WorkflowFiles.ParseAsync(path, "input file", cancellationToken);
            return JsonNode.Parse(document.RootElement.GetRawText())!;
        }

        var rows = new JsonArray();
        var number = 0;
        foreach (var line in await File.ReadAllLinesAsync(path, cancellationToken))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                rows.Add(JsonNode.Parse(line));
            }
            catch (JsonException e)
            {
                throw new CliInputException($"input file '{path}' is not valid JSON at line {number}, column {(e.BytePositionInLine ?? 0) + 1}: {WorkflowFiles.ShortMessage(e)}");
            }
        }

        return rows;
    }

    private static JsonArray ReadCsv(string path)
    {
        var rows = new JsonArray();
        using var reader = Sep.Reader(o => o with { Unescape = true }).FromFile(path);
        var names = reader.Header.ColNames;
        foreach (var row in reader)
        {
            var item = new JsonObject();
            for (var i = 0; i < names.Count && i < row.ColCount; i++)
            {
                item[names[i]] = row[i].ToString();
            }

            rows.Add(item);
        }

        return rows;
    }
}

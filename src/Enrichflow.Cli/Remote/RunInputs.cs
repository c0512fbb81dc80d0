using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Client;
using Enrichflow.Client.Models;
using nietras.SeparatedValues;

namespace Enrichflow.Cli.Remote;

/// <summary>
/// Starts a run of <c>runs start --input FILE</c> as the workflow's source takes it: a <c>read_csv</c> source gets the
/// file uploaded (streamed) and named by its handle; a <c>webhook</c> source gets the file's rows as <c>webhook_payload</c>,
/// read and sent row by row (CSV with a header, a JSON array or object, or NDJSON/JSONL lines), never whole in memory.
/// </summary>
internal static class RunInputs
{
    private static readonly string[] Extensions = [".csv", ".json", ".jsonl", ".ndjson"];

    public static async Task<RunStarted> StartAsync(EnrichflowClient client, Workflow workflow, string? input, RunStartOptions options, CancellationToken cancellationToken)
    {
        if (input is null)
        {
            return await client.StartRunAsync(workflow.Id, new RunRequest(), options, cancellationToken);
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
        switch (source?.BlockName.ToLowerInvariant())
        {
            case "read_csv":
                var upload = await client.UploadFileAsync(input, cancellationToken);
                return await client.StartRunAsync(workflow.Id, RunRequest.WithUpload(upload.HandleId), options, cancellationToken);
            case "webhook":
                var rows = extension switch
                {
                    ".csv" => CsvRows(input, cancellationToken),
                    ".json" => JsonRows(input, cancellationToken),
                    _ => LineRows(input, cancellationToken),
                };
                return await client.StartRunAsync(workflow.Id, rows, new RunRequest(), options, cancellationToken);
            default:
                throw new CliInputException($"workflow {workflow.Id} starts with '{source?.BlockName ?? "no source block"}', which takes no input file; run it without --input.");
        }
    }

    private static async IAsyncEnumerable<JsonObject> CsvRows(string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = Sep.Reader(o => o with { Unescape = true }).FromFile(path);
        var names = reader.Header.ColNames;
        foreach (var row in reader.Enumerate(row =>
        {
            var item = new JsonObject();
            for (var i = 0; i < names.Count && i < row.ColCount; i++)
            {
                item[names[i]] = row[i].ToString();
            }

            return item;
        }))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return row;
        }

        await Task.CompletedTask;
    }

    /// <summary>A JSON array's elements as they are read, or a single object as one row.</summary>
    private static async IAsyncEnumerable<JsonObject> JsonRows(string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var first = await FirstTokenAsync(path, cancellationToken);
        if (first != '[')
        {
            using var document = await WorkflowFiles.ParseAsync(path, "input file", cancellationToken);
            yield return JsonNode.Parse(document.RootElement.GetRawText()) as JsonObject
                ?? throw new CliInputException($"input file '{path}' holds a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}, not an array of objects or one object.");
            yield break;
        }

        var stream = File.OpenRead(path);
        await using (stream)
        {
            var index = 0;
            var rows = JsonSerializer.DeserializeAsyncEnumerable(stream, EnrichflowJsonContext.Default.JsonObject, cancellationToken).GetAsyncEnumerator(cancellationToken);
            await using (rows)
            {
                while (true)
                {
                    try
                    {
                        if (!await rows.MoveNextAsync())
                        {
                            break;
                        }
                    }
                    catch (JsonException e)
                    {
                        throw new CliInputException($"input file '{path}' is not valid JSON at line {(e.LineNumber ?? 0) + 1}, column {(e.BytePositionInLine ?? 0) + 1} (element {index}): {WorkflowFiles.ShortMessage(e)}");
                    }

                    yield return rows.Current ?? throw new CliInputException($"input file '{path}': element {index} is null, not an object.");
                    index++;
                }
            }
        }
    }

    private static async IAsyncEnumerable<JsonObject> LineRows(string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(path);
        var number = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JsonNode? node;
            try
            {
                node = JsonNode.Parse(line);
            }
            catch (JsonException e)
            {
                throw new CliInputException($"input file '{path}' is not valid JSON at line {number}, column {(e.BytePositionInLine ?? 0) + 1}: {WorkflowFiles.ShortMessage(e)}");
            }

            yield return node as JsonObject ?? throw new CliInputException($"input file '{path}' line {number} is not a JSON object.");
        }
    }

    private static async Task<char> FirstTokenAsync(string path, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(path);
        var buffer = new char[1];
        while (await reader.ReadAsync(buffer, cancellationToken) == 1)
        {
            if (!char.IsWhiteSpace(buffer[0]) && buffer[0] != '\uFEFF')
            {
                return buffer[0];
            }
        }

        return '\0';
    }
}

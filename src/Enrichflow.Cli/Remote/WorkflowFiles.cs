using System.Text.Json;
using Enrichflow.Client;
using Enrichflow.Client.Models;

namespace Enrichflow.Cli.Remote;

/// <summary>
/// Reads a workflow file: either a whole create request (<c>{workflow_name, workflow_description, workflow_definition, id?}</c>,
/// as <c>workflows get --json</c> prints a workflow too) or a bare definition (<c>{blocks, edges}</c>). A file that does not
/// parse is a <see cref="CliInputException"/> naming its line and column.
/// </summary>
internal static class WorkflowFiles
{
    public static async Task<CreateWorkflowRequest> ReadAsync(string path, CancellationToken cancellationToken)
    {
        using var document = await ParseAsync(path, "workflow file", cancellationToken);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new CliInputException($"workflow file '{path}' holds a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object with workflow_definition (or blocks).");
        }

        var definitionElement = root.TryGetProperty("workflow_definition", out var nested) ? nested : root;
        if (definitionElement.ValueKind != JsonValueKind.Object || !definitionElement.TryGetProperty("blocks", out _))
        {
            throw new CliInputException($"workflow file '{path}' has no workflow definition: expected an object with 'blocks' (or 'workflow_definition' holding one).");
        }

        WorkflowDefinition definition;
        try
        {
            definition = definitionElement.Deserialize(EnrichflowJsonContext.Default.WorkflowDefinition)!;
        }
        catch (JsonException e)
        {
            throw new CliInputException($"workflow file '{path}': {ShortMessage(e)} at {e.Path}.");
        }

        var name = String(root, "workflow_name") ?? String(root, "name") ?? Path.GetFileNameWithoutExtension(path);
        var description = String(root, "workflow_description") ?? String(root, "description") ?? "";
        return new CreateWorkflowRequest(name, definition, description, String(root, "id"));
    }

    /// <summary>Parses a JSON file, turning a syntax error into "line L, column C" (1-based, from the JsonException).</summary>
    public static async Task<JsonDocument> ParseAsync(string path, string what, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new CliInputException($"{what} '{path}' does not exist.");
        }

        var stream = File.OpenRead(path);
        await using (stream)
        {
            try
            {
                return await JsonDocument.ParseAsync(stream, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }, cancellationToken);
            }
            catch (JsonException e)
            {
                throw new CliInputException($"{what} '{path}' is not valid JSON at line {(e.LineNumber ?? 0) + 1}, column {(e.BytePositionInLine ?? 0) + 1}: {ShortMessage(e)}");
            }
        }
    }

    /// <summary>A JsonException's sentence without its "Path: ... | LineNumber: ..." tail (which the caller says better).</summary>
    public static string ShortMessage(JsonException e)
    {
        var message = e.Message;
        foreach (var tail in new[] { " Path: ", " LineNumber: " })
        {
            var at = message.IndexOf(tail, StringComparison.Ordinal);
            if (at > 0)
            {
                message = message[..at];
            }
        }

        return message.TrimEnd().TrimEnd('.');
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

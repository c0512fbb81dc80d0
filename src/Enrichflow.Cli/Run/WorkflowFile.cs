using System.Text.Json;
using System.Text.Json.Nodes;

namespace Enrichflow.Cli.Run;

/// <summary>
/// The workflow file of <c>enrichflow run</c>: a <c>POST /workflows/create_workflow</c> body
/// (<c>{workflow_name, workflow_description?, workflow_definition, id?}</c>), or a bare definition
/// (<c>{blocks, edges}</c>), which is named after the file.
/// </summary>
internal sealed class WorkflowFile
{
    private WorkflowFile(JsonDocument body, bool bare)
    {
        Body = body;
        IsBareDefinition = bare;
    }

    /// <summary>The file as a create_workflow body.</summary>
    public JsonDocument Body { get; }

    /// <summary>True when the file held only the definition (error locations are then given from it).</summary>
    public bool IsBareDefinition { get; }

    /// <summary>Reads the file; on a syntax error the problem names its line and column (both from 1).</summary>
    public static async Task<(WorkflowFile? File, string? Problem)> ReadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return (null, $"workflow file '{path}' does not exist.");
        }

        JsonNode? root;
        try
        {
            await using var stream = File.OpenRead(path);
            root = await JsonNode.ParseAsync(stream, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip }, cancellationToken: cancellationToken);
        }
        catch (JsonException e)
        {
            var line = (e.LineNumber ?? 0) + 1;
            var column = (e.BytePositionInLine ?? 0) + 1;
            var reason = e.Message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0].TrimEnd('.', ' ');
            return (null, $"workflow file '{path}' is not valid JSON at line {line}, column {column}: {reason}.");
        }

        if (root is not JsonObject body)
        {
            return (null, $"workflow file '{path}' holds {Kind(root)}; it must be a JSON object: a create_workflow body ({{\"workflow_name\", \"workflow_definition\"}}) or a definition ({{\"blocks\", \"edges\"}}).");
        }

        var bare = !body.ContainsKey("workflow_definition") && body.ContainsKey("blocks");
        if (bare)
        {
            body = new JsonObject
            {
                ["workflow_name"] = Path.GetFileNameWithoutExtension(path),
                ["workflow_definition"] = body,
            };
        }

        return (new WorkflowFile(JsonSerializer.SerializeToDocument(body), bare), null);
    }

    /// <summary>A problem's location as a path (<c>workflow_definition.blocks[1].specs</c>; from the definition for a bare one).</summary>
    public string Where(IReadOnlyList<object> loc)
    {
        ArgumentNullException.ThrowIfNull(loc);
        var parts = loc.SkipWhile(p => p is "body").ToList();
        if (IsBareDefinition && parts is ["workflow_definition", ..])
        {
            parts.RemoveAt(0);
        }

        var text = new System.Text.StringBuilder();
        foreach (var part in parts)
        {
            if (part is int or long)
            {
                text.Append('[').Append(part).Append(']');
            }
            else
            {
                text.Append(text.Length > 0 ? "." : "").Append(part);
            }
        }

        return text.Length > 0 ? text.ToString() : "(the file)";
    }

    private static string Kind(JsonNode? node) => node switch
    {
        null => "null",
        JsonArray => "an array",
        JsonValue value => value.GetValueKind() == JsonValueKind.String ? "a string" : "a " + value.GetValueKind().ToString().ToLowerInvariant(),
        _ => "an object",
    };
}

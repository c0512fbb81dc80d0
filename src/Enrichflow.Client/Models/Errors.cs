using System.Text.Json;

namespace Enrichflow.Client.Models;

/// <summary>
/// An error answer's <c>detail</c>: a sentence (<see cref="Text"/>), or FastAPI's validation list (<see cref="Items"/>, a 422),
/// plus (ours) every problem of a definition that is well-formed but wrong (<see cref="Errors"/>, a 400).
/// </summary>
public sealed record ApiErrorDetail(string? Text, IReadOnlyList<ApiErrorItem> Items, IReadOnlyList<ApiErrorItem> Errors)
{
    public override string ToString() =>
        Text ?? string.Join("; ", Items.Select(i => i.ToString()));
}

/// <summary>One problem at its place: <c>{loc, msg, type}</c> (<c>type</c> only in a 422's list).</summary>
public sealed record ApiErrorItem(IReadOnlyList<JsonElement>? Loc, string Msg, string? Type = null)
{
    /// <summary>The place as a dotted path: <c>body.workflow_definition.edges[0].to_block_id</c>.</summary>
    public string Path => Loc is null ? "" : string.Concat(Loc.Select((part, i) =>
        part.ValueKind == JsonValueKind.Number ? $"[{part.GetRawText()}]" : (i == 0 ? "" : ".") + (part.ValueKind == JsonValueKind.String ? part.GetString() : part.GetRawText())));

    public override string ToString() => Path.Length == 0 ? Msg : $"{Path}: {Msg}";
}

/// <summary>An error body as the wire has it: <c>detail</c> a string or a list, <c>errors</c> (ours) for a definition's problems.</summary>
public sealed record ErrorBody(JsonElement? Detail, List<ApiErrorItem>? Errors);

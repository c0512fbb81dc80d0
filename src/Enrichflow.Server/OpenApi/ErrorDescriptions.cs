using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Enrichflow.Server.OpenApi;

/// <summary>Says in words what each error status of an operation means (docs/api.md §1), where the typed result gave only the status.</summary>
internal sealed class ErrorDescriptions : IOpenApiOperationTransformer
{
    private static readonly Dictionary<string, string> Meanings = new(StringComparer.Ordinal)
    {
        ["400"] = "A bad query value, a well-formed but wrong definition (detail and every problem in errors), or a request that cannot go ahead as asked.",
        ["402"] = "The organization's credits of the UTC day or month are used up.",
        ["404"] = "Not found, or it belongs to another organization (the same answer).",
        ["409"] = "A conflict: the id exists, an Idempotency-Key reused with another body, or a run in a status that does not allow it.",
        ["413"] = "A body above its limit (Limits:*), or the organization's quota of stored bytes reached.",
        ["415"] = "An upload that is not .csv, .json, .jsonl or .ndjson.",
        ["422"] = "A body or query that does not match the schema: {\"detail\": [{\"loc\", \"msg\", \"type\"}]}.",
        ["429"] = "Too many requests, or the organization's quota of runs reached.",
        ["503"] = "A part of the server is not available.",
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (response is OpenApiResponse known && (string.IsNullOrEmpty(known.Description) || known.Description is "Bad Request" or "Not Found" or "Conflict" or "Unprocessable Entity")
                && Meanings.TryGetValue(status, out var meaning))
            {
                known.Description = meaning;
            }
        }

        return Task.CompletedTask;
    }
}

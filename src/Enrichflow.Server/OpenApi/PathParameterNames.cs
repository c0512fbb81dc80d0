using System.Text.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Enrichflow.Server.OpenApi;

/// <summary>
/// Writes path parameters snake_case, as every other name on the wire and as docs/api.md and Sixtyfour write them
/// (<c>/workflows/runs/{run_id}</c>): the route templates name them in C# style (<c>{runId}</c>).
/// </summary>
internal sealed class PathParameterNames : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var renamed = new OpenApiPaths();
        foreach (var (path, item) in document.Paths)
        {
            renamed[SnakeCasePlaceholders(path)] = item;
            foreach (var operation in item.Operations?.Values.AsEnumerable() ?? [])
            {
                foreach (var parameter in operation.Parameters ?? [])
                {
                    if (parameter is OpenApiParameter { In: ParameterLocation.Path, Name: { } name } concrete)
                    {
                        concrete.Name = JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
                    }
                }
            }
        }

        document.Paths = renamed;
        return Task.CompletedTask;
    }

    internal static string SnakeCasePlaceholders(string path) =>
        string.Join('/', path.Split('/').Select(segment =>
            segment is ['{', .., '}'] ? "{" + JsonNamingPolicy.SnakeCaseLower.ConvertName(segment[1..^1]) + "}" : segment));
}

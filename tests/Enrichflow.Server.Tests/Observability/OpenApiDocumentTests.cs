using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Observability;

/// <summary>
/// <c>/openapi/v1.json</c> from a real server, checked against docs/api.md: every endpoint its tables list, with its
/// method, its request body, a 2xx answer with a schema, the errors the row names, and the x-api-key requirement.
/// </summary>
public sealed partial class OpenApiDocumentTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The routes that need no key (docs/api.md §1); the document and the page describe themselves, and /metrics (Prometheus text) is tested in MetricsTests.</summary>
    private static readonly string[] Public = ["/healthz", "/readyz", "/downloads/{token}"];
    private static readonly string[] Meta = ["/openapi/v1.json", "/docs", "/metrics"];

    /// <summary>One row of a table of docs/api.md: method, path (placeholders as written), the body cell (null when the table has none) and the whole row.</summary>
    private sealed record DocumentedEndpoint(string Method, string Path, string? Body, string Row);

    private static List<DocumentedEndpoint> DocumentedEndpoints()
    {
        var lines = File.ReadAllLines(Path.Combine(ReadmeTests.RepositoryRoot(), "docs", "api.md"));
        var endpoints = new List<DocumentedEndpoint>();
        var bodyColumn = -1;
        foreach (var line in lines)
        {
            if (!line.StartsWith('|'))
            {
                bodyColumn = -1;
                continue;
            }

            var cells = line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            if (cells.Length > 1 && cells[0] == "method and path")
            {
                bodyColumn = Array.FindIndex(cells, c => c.StartsWith("body", StringComparison.Ordinal));
                continue;
            }

            var match = EndpointCell().Match(cells[0]);
            if (match.Success)
            {
                endpoints.Add(new(match.Groups["method"].Value, match.Groups["path"].Value, bodyColumn > 0 ? cells[bodyColumn] : null, line));
            }
        }

        return endpoints;
    }

    private static async Task<JsonElement> DocumentAsync(TestServer server)
    {
        using var anonymous = server.NewClient(null);
        var response = await anonymous.GetAsync("/openapi/v1.json", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.Clone();
    }

    [Fact]
    public async Task The_document_describes_every_endpoint_docs_api_md_lists()
    {
        var documented = DocumentedEndpoints();
        Assert.True(documented.Count >= 40, $"docs/api.md's tables list only {documented.Count} endpoints: the parser lost them");
        await using var server = await TestServer.StartAsync();
        var document = await DocumentAsync(server);
        var paths = document.GetProperty("paths");

        var problems = new List<string>();
        foreach (var endpoint in documented.Where(e => !Meta.Contains(e.Path)))
        {
            var name = $"{endpoint.Method} {endpoint.Path}";
            if (!paths.TryGetProperty(endpoint.Path, out var item) || !item.TryGetProperty(endpoint.Method.ToLowerInvariant(), out var operation))
            {
                problems.Add($"{name}: not in the document");
                continue;
            }

            var responses = operation.GetProperty("responses");
            var success = responses.EnumerateObject().Where(r => r.Name.StartsWith('2')).ToList();
            if (success.Count == 0)
            {
                problems.Add($"{name}: no 2xx response");
            }
            else if (success.All(r => r.Name != "204") && !success.Any(r => r.Value.TryGetProperty("content", out var content) && content.EnumerateObject().Any(c => c.Value.TryGetProperty("schema", out _))))
            {
                problems.Add($"{name}: its 2xx response has no schema");
            }

            var takesBody = endpoint.Method != "GET" && endpoint.Body is { Length: > 0 } body && body != "body ignored";
            if (takesBody != operation.TryGetProperty("requestBody", out _))
            {
                problems.Add(takesBody ? $"{name}: takes a body ({endpoint.Body}) but the document has none" : $"{name}: the document has a body the docs do not");
            }

            // Every error status the row names is an answer of the operation.
            foreach (var status in ErrorStatus().Matches(endpoint.Row).Select(m => m.Value).Distinct())
            {
                if (!responses.TryGetProperty(status, out var error))
                {
                    problems.Add($"{name}: docs/api.md names {status}, the document does not");
                }
                else if (status != "503" && !HasErrorSchema(error))
                {
                    problems.Add($"{name}: its {status} has no {{detail}} schema");
                }
            }

            var secured = operation.TryGetProperty("security", out var security) && security.EnumerateArray().Any(r => r.TryGetProperty("ApiKey", out _));
            if (Public.Contains(endpoint.Path))
            {
                if (secured)
                {
                    problems.Add($"{name}: public, but the document asks for a key");
                }
            }
            else
            {
                if (!secured)
                {
                    problems.Add($"{name}: no x-api-key requirement");
                }

                var errors = endpoint.Method == "GET" ? new[] { "401", "429" } : ["401", "403", "429"];
                problems.AddRange(errors.Where(s => !responses.TryGetProperty(s, out var e) || !HasErrorSchema(e)).Select(s => $"{name}: no {s} with a {{detail}} body"));
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public async Task The_document_has_the_x_api_key_scheme_the_upload_body_and_snake_case_names_only()
    {
        await using var server = await TestServer.StartAsync();
        var document = await DocumentAsync(server);

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal("apiKey", scheme.GetProperty("type").GetString());
        Assert.Equal("header", scheme.GetProperty("in").GetString());
        Assert.Equal("x-api-key", scheme.GetProperty("name").GetString());

        // The upload (docs/api.md §4, in prose): one multipart part named file.
        var upload = document.GetProperty("paths").GetProperty("/storage/csv/upload").GetProperty("post");
        var form = upload.GetProperty("requestBody").GetProperty("content").GetProperty("multipart/form-data").GetProperty("schema");
        Assert.Contains("\"file\"", Resolve(document, form.GetRawText()), StringComparison.Ordinal);
        Assert.True(upload.GetProperty("responses").TryGetProperty("415", out _));

        // Names as served: snake_case properties (the HTTP JSON options) and parameters.
        var problems = new List<string>();
        foreach (var schema in document.GetProperty("components").GetProperty("schemas").EnumerateObject())
        {
            foreach (var property in Properties(schema.Value))
            {
                if (!SnakeCase().IsMatch(property))
                {
                    problems.Add($"schema {schema.Name}: property '{property}'");
                }
            }
        }

        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                foreach (var parameter in operation.Value.TryGetProperty("parameters", out var list) ? list.EnumerateArray() : default)
                {
                    var name = parameter.GetProperty("name").GetString()!;
                    if (!SnakeCase().IsMatch(name) && name != "Idempotency-Key")
                    {
                        problems.Add($"{operation.Name.ToUpperInvariant()} {path.Name}: parameter '{name}'");
                    }
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));

        // The body of a run names the fields the handler reads, as docs/api.md §3 writes them.
        var run = document.GetProperty("paths").GetProperty("/workflows/run").GetProperty("post").GetProperty("requestBody").GetRawText();
        var runSchema = Resolve(document, run);
        foreach (var field in new[] { "webhook_payload", "specs_override", "cache_config", "max_credits" })
        {
            Assert.Contains($"\"{field}\"", runSchema, StringComparison.Ordinal);
        }
    }

    private static bool HasErrorSchema(JsonElement response) =>
        response.TryGetProperty("content", out var content) && content.TryGetProperty("application/json", out var json) && json.TryGetProperty("schema", out _);

    private static IEnumerable<string> Properties(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            yield break;
        }

        if (schema.TryGetProperty("properties", out var properties))
        {
            foreach (var property in properties.EnumerateObject())
            {
                yield return property.Name;
                foreach (var inner in Properties(property.Value))
                {
                    yield return inner;
                }
            }
        }

        foreach (var nested in new[] { "items", "additionalProperties" })
        {
            if (schema.TryGetProperty(nested, out var inner))
            {
                foreach (var name in Properties(inner))
                {
                    yield return name;
                }
            }
        }
    }

    /// <summary>The JSON of the schema a request body names by <c>$ref</c> (or the body itself when inline).</summary>
    private static string Resolve(JsonElement document, string json)
    {
        var match = Regex.Match(json, "\"#/components/schemas/([^\"]+)\"");
        return match.Success ? document.GetProperty("components").GetProperty("schemas").GetProperty(match.Groups[1].Value).GetRawText() : json;
    }

    [GeneratedRegex("""^`(?<method>GET|POST|PUT|PATCH|DELETE) (?<path>/[^`?\s]*)""")]
    private static partial Regex EndpointCell();

    [GeneratedRegex(@"(?<![\d.,–-])(4\d\d|503)(?![\d.,])")]
    private static partial Regex ErrorStatus();

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex SnakeCase();
}

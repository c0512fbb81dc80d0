using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Enrichflow.Fakes;

/// <summary>An OpenAI-compatible chat completions endpoint that answers the requested JSON schema.</summary>
public sealed partial class FakeProviderServer
{
    private void MapOpenAi(IEndpointRouteBuilder app) => app.MapPost("/v1/chat/completions", ChatCompletionAsync);

    private async Task ChatCompletionAsync(HttpContext http)
    {
        var body = await ReadJsonAsync(http) as JsonObject;
        if (IsAgentChat(body))
        {
            await AgentChatAsync(http, body!);
            return;
        }

        var properties = body?["response_format"]?["json_schema"]?["schema"]?["properties"] as JsonObject;
        var (key, person) = ChatSubject(body);
        if (properties is null || key is null)
        {
            await WriteJsonAsync(http, 400, new JsonObject { ["error"] = new JsonObject { ["message"] = "response_format.json_schema and an 'Input: {...}' line are required", ["type"] = "invalid_request_error" } });
            return;
        }

        await PaidAsync(http, key, body, expected => expected is null || http.Request.Headers.Authorization == "Bearer " + expected, reply =>
        {
            var seed = Seed;
            var found = FakeData.IsFound(seed, key, HitPercent);
            var content = new JsonObject();
            var first = true;
            foreach (var (field, schema) in properties)
            {
                var type = SchemaType(schema);
                content[field] = reply?.Kind == FakeReplyKind.SchemaViolation && first ? FakeData.WrongValue(type)
                    : found ? FakeData.Value(seed, key, field, type)
                    : null;
                first = false;
            }

            return WriteJsonAsync(http, 200, new JsonObject
            {
                ["id"] = "chatcmpl-" + FakeData.Hash(seed, key, "id").ToString("x", CultureInfo.InvariantCulture),
                ["object"] = "chat.completion",
                ["model"] = body!["model"]?.DeepClone(),
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content.ToJsonString(), ["refusal"] = null },
                    ["finish_reason"] = "stop",
                }),
                ["usage"] = new JsonObject { ["prompt_tokens"] = 120, ["completion_tokens"] = 40, ["total_tokens"] = 160, ["person"] = person },
            });
        });
    }

    /// <summary>The key from the user message's <c>Input: {json}</c> line: a person's email or name, a company's domain or name.</summary>
    private static (string? Key, bool Person) ChatSubject(JsonObject? body)
    {
        var user = (body?["messages"] as JsonArray)?.LastOrDefault(m => m?["role"]?.ToString() == "user")?["content"]?.ToString() ?? "";
        var lines = user.Split('\n');
        var person = lines.Any(l => l.StartsWith("Operation: ", StringComparison.Ordinal) && !l.Contains("enrich_company", StringComparison.Ordinal));
        var inputLine = lines.FirstOrDefault(l => l.StartsWith("Input: ", StringComparison.Ordinal));
        try
        {
            var input = inputLine is null ? null : JsonNode.Parse(inputLine["Input: ".Length..]) as JsonObject;
            return (KeyOf(input, company: !person), person);
        }
        catch (JsonException)
        {
            return (null, person);
        }
    }

    /// <summary>The first non-null JSON schema type, as a return-field type name.</summary>
    private static string SchemaType(JsonNode? schema)
    {
        var type = schema?["type"] switch
        {
            JsonArray types => types.Select(t => t?.ToString()).FirstOrDefault(t => t != "null"),
            { } single => single.ToString(),
            _ => null,
        };
        return type switch
        {
            "integer" => "int",
            "number" => "float",
            "boolean" => "bool",
            "array" => schema?["items"]?["type"]?.ToString() == "integer" ? "list[int]" : "list[str]",
            "object" => "dict",
            _ => "str",
        };
    }
}

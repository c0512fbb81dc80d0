using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Enrichflow.Fakes;

/// <summary>
/// The chat completions of <c>llm_openai</c>, <c>qa_agent</c> and <c>research_agent</c> (response_format schemas named
/// <c>llm_output</c>, <c>qa_agent</c>, <c>research_agent</c>): keyed by the <c>Input: {...}</c> line's record, or by the
/// whole user message for a prompt; <c>qa_*</c> properties answer scores from 0 to 1.
/// </summary>
public sealed partial class FakeProviderServer
{
    private static readonly string[] AgentSchemas = ["llm_output", "qa_agent", "research_agent"];

    private static bool IsAgentChat(JsonObject? body) =>
        body?["response_format"]?["json_schema"]?["name"] is JsonValue name && name.TryGetValue<string>(out var text) && AgentSchemas.Contains(text);

    private async Task AgentChatAsync(HttpContext http, JsonObject body)
    {
        var properties = body["response_format"]?["json_schema"]?["schema"]?["properties"] as JsonObject;
        var user = (body["messages"] as JsonArray)?.LastOrDefault(m => m?["role"]?.ToString() == "user")?["content"]?.ToString() ?? "";
        if (properties is null || string.IsNullOrWhiteSpace(user))
        {
            await WriteJsonAsync(http, 400, new JsonObject { ["error"] = new JsonObject { ["message"] = "response_format.json_schema and a user message are required", ["type"] = "invalid_request_error" } });
            return;
        }

        var key = InputRecordKey(user) ?? FakeData.Key(user);
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
                    : !found ? null
                    : field.StartsWith("qa_", StringComparison.Ordinal) ? JsonValue.Create((FakeData.Hash(seed, key, "qa", field) % 101) / 100.0)
                    : field == "notes" ? JsonValue.Create($"Answered about {FakeData.DisplayName(key)}.")
                    : FakeData.Value(seed, key, field, type);
                first = false;
            }

            return WriteJsonAsync(http, 200, new JsonObject
            {
                ["id"] = "chatcmpl-" + FakeData.Hash(seed, key, "id").ToString("x", CultureInfo.InvariantCulture),
                ["object"] = "chat.completion",
                ["model"] = body["model"]?.DeepClone(),
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content.ToJsonString(), ["refusal"] = null },
                    ["finish_reason"] = "stop",
                }),
                ["usage"] = new JsonObject { ["prompt_tokens"] = 120, ["completion_tokens"] = 40, ["total_tokens"] = 160 },
            });
        });
    }

    /// <summary>The key of the record on the message's <c>Input: {json}</c> line, or null when there is none.</summary>
    private static string? InputRecordKey(string user)
    {
        var line = user.Split('\n').FirstOrDefault(l => l.StartsWith("Input: ", StringComparison.Ordinal));
        try
        {
            return line is not null && JsonNode.Parse(line["Input: ".Length..]) is JsonObject record ? AgentKey(record) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

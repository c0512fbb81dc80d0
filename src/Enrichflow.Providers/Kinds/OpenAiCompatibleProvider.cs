using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Enrichflow.Providers.Kinds;

/// <summary>
/// A chat completions endpoint (OpenAI, vLLM, Ollama, llama.cpp): one request per row with a JSON schema built from
/// the return fields as <c>response_format</c>, so the model answers one object with a value (or null) per field.
/// The answer is checked against the requested types; all null is "not found".
/// </summary>
public sealed partial class OpenAiCompatibleProvider : RemoteProvider
{
    public const string DefaultPath = "chat/completions";

    internal const string SystemPrompt =
        "You are a data enrichment assistant. Answer only with one JSON object that follows the given schema. " +
        "Use null for every value you do not know; never guess or invent values.";

    internal OpenAiCompatibleProvider(ResolvedProviderOptions options, IHttpClientFactory clients)
        : base(options, clients)
    {
    }

    public override ProviderKind Kind => ProviderKind.OpenAiCompatible;

    public override bool Supports(EnrichmentOperation operation) => Options.Operations.Contains(operation);

    public override async Task<EnrichmentAnswer> CallAsync(EnrichmentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Operation >= EnrichmentOperation.ReverseEmail)
        {
            return await CallAgentAsync(request, cancellationToken);
        }

        using var post = ProviderHttp.JsonRequest(HttpMethod.Post, Options.Url(Options.Configured.Path ?? DefaultPath), Body(request));
        if (Options.ApiKey is { } key)
        {
            post.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
        }

        var reply = await Http.SendJsonAsync(post, null, cancellationToken);
        return reply.IsJson ? Map(reply.Json, request) : reply.Answer;
    }

    /// <summary><c>{model, temperature?, messages, response_format: {type: json_schema, json_schema: {name, strict, schema}}}</c>.</summary>
    internal JsonObject Body(EnrichmentRequest request)
    {
        var body = new JsonObject { ["model"] = Options.Configured.Model };
        if (Options.Configured.Temperature is { } temperature)
        {
            body["temperature"] = temperature;
        }

        body["messages"] = new JsonArray(
            new JsonObject { ["role"] = "system", ["content"] = SystemPrompt },
            new JsonObject { ["role"] = "user", ["content"] = UserPrompt(request) });
        body["response_format"] = new JsonObject
        {
            ["type"] = "json_schema",
            ["json_schema"] = new JsonObject
            {
                ["name"] = "enrichment",
                // Strict schemas cannot hold a free-form object, so a dict field turns strictness off.
                ["strict"] = request.Fields.All(f => f.Type != ReturnFieldType.Dict),
                ["schema"] = Schema(request.Fields),
            },
        };
        return body;
    }

    /// <summary>The operation, the input as JSON on one line (<c>Input: {...}</c>), the options, and one line per field.</summary>
    internal static string UserPrompt(EnrichmentRequest request)
    {
        var input = new JsonObject();
        foreach (var (key, value) in request.Input.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            input[key] = value;
        }

        var text = new StringBuilder()
            .Append("Operation: ").AppendLine(request.Operation.ToWire())
            .Append("Task: ").AppendLine(request.Operation switch
            {
                EnrichmentOperation.EnrichCompany => "Find the requested facts about the company described by the input.",
                EnrichmentOperation.EnrichPerson => "Find the requested facts about the person described by the input.",
                EnrichmentOperation.FindEmail => "Find the person's email address.",
                _ => "Find the person's phone number.",
            })
            .Append("Input: ").AppendLine(input.ToJsonString());
        if (request.OptionValue("research_plan") is { } plan)
        {
            text.Append("Research plan: ").AppendLine(plan);
        }

        text.AppendLine("Fields:");
        foreach (var field in request.Fields)
        {
            text.Append("- ").Append(field.Name).Append(" (").Append(field.Type.ToWire()).Append("): ").AppendLine(field.Description);
        }

        return text.ToString();
    }

    /// <summary>An object schema with one nullable property per field, all required, nothing else allowed.</summary>
    internal static JsonObject Schema(IReadOnlyList<ReturnField> fields)
    {
        var properties = new JsonObject();
        foreach (var field in fields)
        {
            var property = field.Type switch
            {
                ReturnFieldType.Str => Typed("string"),
                ReturnFieldType.Int => Typed("integer"),
                ReturnFieldType.Float => Typed("number"),
                ReturnFieldType.Bool => Typed("boolean"),
                ReturnFieldType.ListStr => Typed("array", new JsonObject { ["type"] = "string" }),
                ReturnFieldType.ListInt => Typed("array", new JsonObject { ["type"] = "integer" }),
                _ => Typed("object"),
            };
            property["description"] = field.Description;
            properties[field.Name] = property;
        }

        return new JsonObject
        {
            ["type"] = "object",
            ["properties"] = properties,
            ["required"] = new JsonArray([.. fields.Select(f => (JsonNode?)f.Name)]),
            ["additionalProperties"] = false,
        };

        static JsonObject Typed(string type, JsonObject? items = null)
        {
            var schema = new JsonObject { ["type"] = new JsonArray(type, "null") };
            if (items is not null)
            {
                schema["items"] = items;
            }

            return schema;
        }
    }

    /// <summary>Reads <c>choices[0].message.content</c> as the JSON object and checks every field against its type.</summary>
    public static EnrichmentAnswer Map(JsonNode? json, EnrichmentRequest request)
    {
        var choice = json?["choices"] is JsonArray { Count: > 0 } choices ? choices[0] : null;
        if (choice?["message"] is not JsonObject message)
        {
            return EnrichmentAnswer.Failed("answered without choices[0].message", billable: true);
        }

        if (message["refusal"] is { } refusal && EnrichmentAnswer.HasValue(refusal))
        {
            return EnrichmentAnswer.Failed($"the model refused: {ProviderHttp.Detail(refusal.ToString())}", billable: true);
        }

        if (choice["finish_reason"]?.GetValueKind() == JsonValueKind.String && choice["finish_reason"]!.GetValue<string>() == "length")
        {
            return EnrichmentAnswer.Failed("the model's answer was cut off (finish_reason: length)", billable: true);
        }

        var content = message["content"]?.GetValueKind() == JsonValueKind.String ? message["content"]!.GetValue<string>() : null;
        if (string.IsNullOrWhiteSpace(content))
        {
            return EnrichmentAnswer.Failed("answered an empty message", billable: true);
        }

        JsonObject values;
        try
        {
            if (JsonNode.Parse(WithoutCodeFence(content)) is not JsonObject parsed)
            {
                return EnrichmentAnswer.Failed($"answered content that is not a JSON object: {ProviderHttp.Detail(content)}", billable: true);
            }

            values = parsed;
        }
        catch (JsonException e)
        {
            return EnrichmentAnswer.Failed($"answered malformed JSON content: {e.Message}", billable: true);
        }

        var fields = FieldValues.Map(request.Fields, f => values[f.Name], out var error);
        return fields is null ? EnrichmentAnswer.Failed(error!, billable: true) : EnrichmentAnswer.Of(fields);
    }

    /// <summary>Local models sometimes wrap the object in a Markdown code fence (<c>```json … ```</c>).</summary>
    private static string WithoutCodeFence(string content)
    {
        var text = content.Trim();
        if (!text.StartsWith("```", StringComparison.Ordinal))
        {
            return text;
        }

        var start = text.IndexOf('\n');
        var end = text.LastIndexOf("```", StringComparison.Ordinal);
        return start > 0 && end > start ? text[(start + 1)..end] : text.Trim('`');
    }
}

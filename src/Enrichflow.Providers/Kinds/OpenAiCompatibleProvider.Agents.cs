using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Enrichflow.Providers.Kinds;

/// <summary>
/// The chat completions behind <c>llm_openai</c>, <c>qa_agent</c> and <c>research_agent</c> (docs/api.md §5.3): the
/// block's prompt (or a task built from the row and the criteria or research plan) with a JSON schema of the
/// fields as <c>response_format</c>; the agents' schemas add <c>notes</c>. An answer that breaks the schema fails.
/// </summary>
public sealed partial class OpenAiCompatibleProvider
{
    internal const string LlmSystemPrompt =
        "Answer only with one JSON object that follows the given schema. Use null for a value you do not know.";

    internal const string QaSystemPrompt =
        "You are a lead qualification analyst. Score the record against each criterion from 0 (does not meet it) to 1 (fully meets it), " +
        "using only the record and facts you are sure of, and explain the scores briefly in notes. Answer only with one JSON object that follows the given schema.";

    internal const string ResearchSystemPrompt =
        "You are a research assistant. Find the requested facts about the record, following the research plan, and summarize what you found in notes. " +
        "Answer only with one JSON object that follows the given schema. Use null for every value you do not know; never guess or invent values.";

    private static readonly ReturnField NotesField = new("notes", "A short explanation of the answer and its sources", ReturnFieldType.Str);

    private async Task<EnrichmentAnswer> CallAgentAsync(EnrichmentRequest request, CancellationToken cancellationToken)
    {
        if (request.Operation is not (EnrichmentOperation.Llm or EnrichmentOperation.QaAgent or EnrichmentOperation.ResearchAgent))
        {
            return EnrichmentAnswer.Failed($"a chat model cannot do {request.Operation.ToWire()}");
        }

        using var post = ProviderHttp.JsonRequest(HttpMethod.Post, Options.Url(Options.Configured.Path ?? DefaultPath), AgentBody(request));
        if (Options.ApiKey is { } key)
        {
            post.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
        }

        var reply = await Http.SendJsonAsync(post, null, cancellationToken);
        if (!reply.IsJson)
        {
            return reply.Answer;
        }

        if (request.Operation == EnrichmentOperation.Llm)
        {
            return Map(reply.Json, request);
        }

        var answer = Map(reply.Json, request with { Fields = [.. request.Fields, NotesField] });
        if (answer.Outcome == EnrichmentOutcome.Failed)
        {
            return answer;
        }

        var notes = answer.Fields.GetValueOrDefault(NotesField.Name)?.GetValue<string>();
        var fields = answer.Fields.Where(p => p.Key != NotesField.Name).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        if (request.Operation == EnrichmentOperation.QaAgent)
        {
            var scores = AgentRequests.Criteria(request).Select(c => AgentRequests.ScoreField(c.Name)).ToList();
            return scores.All(s => fields.GetValueOrDefault(s) is null)
                ? EnrichmentAnswer.Failed($"the model scored none of the criteria ({string.Join(", ", scores)})", billable: true)
                : new EnrichmentAnswer(EnrichmentOutcome.Found, fields) { Notes = notes };
        }

        var found = fields.Values.Any(EnrichmentAnswer.HasValue) || notes is not null;
        return new EnrichmentAnswer(found ? EnrichmentOutcome.Found : EnrichmentOutcome.NotFound, fields) { Notes = notes };
    }

    /// <summary><c>{model, temperature?, messages: [system, user], response_format: {type: json_schema, json_schema: {name, strict, schema}}}</c>.</summary>
    internal JsonObject AgentBody(EnrichmentRequest request)
    {
        var (name, system, user, fields) = request.Operation switch
        {
            EnrichmentOperation.Llm => ("llm_output", request.OptionValue(AgentRequests.SystemPromptOption) ?? LlmSystemPrompt, request.OptionValue(AgentRequests.PromptOption) ?? "", request.Fields),
            EnrichmentOperation.QaAgent => ("qa_agent", QaSystemPrompt, QaPrompt(request), [.. request.Fields, NotesField]),
            _ => ("research_agent", ResearchSystemPrompt, ResearchPrompt(request), (IReadOnlyList<ReturnField>)[.. request.Fields, NotesField]),
        };
        var body = new JsonObject { ["model"] = request.OptionValue(AgentRequests.ModelOption) ?? Options.Configured.Model };
        if ((AgentRequests.Temperature(request) ?? Options.Configured.Temperature) is { } temperature)
        {
            body["temperature"] = temperature;
        }

        body["messages"] = new JsonArray(
            new JsonObject { ["role"] = "system", ["content"] = system },
            new JsonObject { ["role"] = "user", ["content"] = user });
        body["response_format"] = new JsonObject
        {
            ["type"] = "json_schema",
            ["json_schema"] = new JsonObject
            {
                ["name"] = name,
                ["strict"] = fields.All(f => f.Type != ReturnFieldType.Dict),
                ["schema"] = Schema(fields),
            },
        };
        return body;
    }

    /// <summary>The task, the row as JSON on one line (<c>Input: {...}</c>), one line per criterion, then the other fields.</summary>
    internal static string QaPrompt(EnrichmentRequest request)
    {
        var criteria = AgentRequests.Criteria(request);
        var text = new StringBuilder()
            .AppendLine("Operation: qa_agent")
            .AppendLine("Task: Score the record against each qualification criterion from 0 to 1.")
            .Append("Input: ").AppendLine(AgentRequests.InputObject(request).ToJsonString())
            .AppendLine("Criteria:");
        foreach (var criterion in criteria)
        {
            text.Append("- ").Append(AgentRequests.ScoreField(criterion.Name)).Append(" (weight ").Append(criterion.Weight.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append("): ").AppendLine(criterion.Description);
        }

        var scores = criteria.Select(c => AgentRequests.ScoreField(c.Name)).ToHashSet(StringComparer.Ordinal);
        AppendFields(text, request.Fields.Where(f => !scores.Contains(f.Name)));
        return text.ToString();
    }

    internal static string ResearchPrompt(EnrichmentRequest request)
    {
        var text = new StringBuilder()
            .AppendLine("Operation: research_agent")
            .AppendLine("Task: Research the record described by the input.")
            .Append("Input: ").AppendLine(AgentRequests.InputObject(request).ToJsonString());
        if (request.OptionValue(AgentRequests.ResearchPlanOption) is { } plan)
        {
            text.Append("Research plan: ").AppendLine(plan);
        }

        AppendFields(text, request.Fields);
        return text.ToString();
    }

    private static void AppendFields(StringBuilder text, IEnumerable<ReturnField> fields)
    {
        var list = fields.ToList();
        if (list.Count == 0)
        {
            return;
        }

        text.AppendLine("Fields:");
        foreach (var field in list)
        {
            text.Append("- ").Append(field.Name).Append(" (").Append(field.Type.ToWire()).Append("): ").AppendLine(field.Description);
        }
    }
}

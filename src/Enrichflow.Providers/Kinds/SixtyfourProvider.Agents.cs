using System.Text.Json;
using System.Text.Json.Nodes;

using Enrichflow.Providers.Limits;

namespace Enrichflow.Providers.Kinds;

/// <summary>
/// Sixtyfour's reverse lookups and agents (docs/api.md §5.3): <c>/reverse-email</c> and <c>/reverse-phone</c>
/// <c>{lead: {email | phone}}</c>; <c>/qa-agent</c> <c>{data, qualification_criteria, struct?}</c> and
/// <c>/research-agent</c> <c>{input_data, struct?, research_plan?}</c>, both through their <c>-async</c> variants
/// and <c>GET /job-status/{task_id}</c> when <c>UseAsyncJobs</c> (the default).
/// </summary>
public sealed partial class SixtyfourProvider
{
    /// <summary>The names Sixtyfour's answers may give a person's facts, the block's column first.</summary>
    private static readonly Dictionary<string, string[]> PersonAliases = new(StringComparer.Ordinal)
    {
        ["name"] = ["name", "full_name"],
        ["title"] = ["title", "job_title", "position"],
        ["company"] = ["company", "company_name", "organization"],
        ["linkedin"] = ["linkedin", "linkedin_url", "linkedin_profile"],
        ["location"] = ["location", "city", "address"],
    };

    /// <summary>Where a qa-agent answer may hold its per-criterion scores.</summary>
    private static readonly string[] ScoreContainers = ["criteria_scores", "criteria_results", "criteria", "evaluations", "scores"];

    private Task<EnrichmentAnswer> CallAgentAsync(EnrichmentRequest request, CancellationToken cancellationToken) => request.Operation switch
    {
        EnrichmentOperation.ReverseEmail => ReverseAsync("reverse-email", AgentRequests.ReverseKeyOf(request, InputKeys.Email), request, cancellationToken),
        EnrichmentOperation.ReversePhone => ReverseAsync("reverse-phone", AgentRequests.ReverseKeyOf(request, AgentRequests.Phone), request, cancellationToken),
        _ => Task.FromResult(EnrichmentAnswer.Failed($"Sixtyfour has no endpoint for {request.Operation.ToWire()}")),
    };

    /// <summary><c>{lead: {email}}</c> or <c>{lead: {phone}}</c> (Sixtyfour's ReverseEmailRequest, ReversePhoneRequest).</summary>
    internal static JsonObject ReverseBody(string key, string value) => new() { ["lead"] = new JsonObject { [key] = value } };

    /// <summary><c>{data: the row, qualification_criteria: [...], struct?}</c> (Sixtyfour's QAAgentRequest).</summary>
    internal static JsonObject QaBody(EnrichmentRequest request)
    {
        var criteria = AgentRequests.Criteria(request);
        var body = new JsonObject
        {
            ["data"] = AgentRequests.InputObject(request),
            ["qualification_criteria"] = new JsonArray([.. criteria.Select(c => (JsonNode)c.ToJson())]),
        };
        var extra = StructFields(request, criteria);
        if (extra.Count > 0)
        {
            body["struct"] = Struct(extra);
        }

        return body;
    }

    /// <summary><c>{input_data: the row, struct?, research_plan?}</c> (Sixtyfour's ResearchAgentRequest).</summary>
    internal static JsonObject ResearchBody(EnrichmentRequest request)
    {
        var body = new JsonObject { ["input_data"] = AgentRequests.InputObject(request) };
        if (request.Fields.Count > 0)
        {
            body["struct"] = Struct(request.Fields);
        }

        AddText(body, "research_plan", request.OptionValue(AgentRequests.ResearchPlanOption));
        return body;
    }

    /// <summary>The return fields of a qa request: every field that is not a criterion's score.</summary>
    private static List<ReturnField> StructFields(EnrichmentRequest request, IReadOnlyList<QualificationCriterion> criteria)
    {
        var scores = criteria.Select(c => AgentRequests.ScoreField(c.Name)).ToHashSet(StringComparer.Ordinal);
        return [.. request.Fields.Where(f => !scores.Contains(f.Name))];
    }

    private async Task<EnrichmentAnswer> ReverseAsync(string path, (string Key, string Value)? input, EnrichmentRequest request, CancellationToken cancellationToken)
    {
        if (input is not { } lookup)
        {
            // Nothing to look up: no paid request.
            return EnrichmentAnswer.NotFound("the input has no value to look up") with { Billable = false };
        }

        using var post = Post(path, ReverseBody(lookup.Key, lookup.Value));
        var reply = await Http.SendJsonAsync(post, null, cancellationToken);
        return reply.IsJson ? MapReverse(reply.Json, request) : reply.Answer;
    }

    /// <summary>
    /// The person found: the fields read from <c>structured_data</c>, <c>person</c>, <c>lead</c> or the answer itself, each
    /// under the block's name or Sixtyfour's (<c>full_name</c>, <c>job_title</c>, <c>linkedin_url</c>, ...).
    /// </summary>
    public static EnrichmentAnswer MapReverse(JsonNode? json, EnrichmentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (json is not JsonObject answer)
        {
            return EnrichmentAnswer.Failed("answered something other than a JSON object", billable: true);
        }

        var person = answer["structured_data"] as JsonObject ?? answer["person"] as JsonObject ?? answer["lead"] as JsonObject ?? answer["result"] as JsonObject ?? answer;
        var fields = FieldValues.Map(request.Fields, f => FirstOf(person, PersonAliases.GetValueOrDefault(f.Name) ?? [f.Name]) ?? FirstOf(answer, [f.Name]), out var error);
        return fields is null ? EnrichmentAnswer.Failed(error!, billable: true) : EnrichmentAnswer.Of(fields) with { Notes = Text(answer["notes"]) };
    }

    /// <summary>
    /// One score per criterion (0 to 1 as Sixtyfour gives them; the block scales other ranges), from a map or list under
    /// <c>criteria_scores</c>, <c>criteria_results</c>, <c>criteria</c>, <c>evaluations</c> or <c>scores</c> (of the
    /// answer or its <c>structured_data</c>), and the return fields from <c>structured_data</c>. No score at all fails.
    /// </summary>
    public static EnrichmentAnswer MapQa(JsonNode? json, EnrichmentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (json is not JsonObject answer)
        {
            return EnrichmentAnswer.Failed("answered something other than a JSON object", billable: true);
        }

        var data = answer["structured_data"] as JsonObject;
        var criteria = AgentRequests.Criteria(request);
        var byField = criteria.ToDictionary(c => AgentRequests.ScoreField(c.Name), c => c.Name, StringComparer.Ordinal);
        var fields = FieldValues.Map(request.Fields, f => byField.TryGetValue(f.Name, out var criterion)
            ? CriterionScore(answer, criterion) ?? (data is null ? null : CriterionScore(data, criterion)) ?? data?[f.Name] ?? answer[f.Name]
            : data?[f.Name] ?? answer[f.Name], out var error);
        if (fields is null)
        {
            return EnrichmentAnswer.Failed(error!, billable: true);
        }

        if (byField.Keys.All(f => fields.GetValueOrDefault(f) is null))
        {
            return EnrichmentAnswer.Failed($"answered no score for {string.Join(", ", criteria.Select(c => $"'{c.Name}'"))}", billable: true);
        }

        return new EnrichmentAnswer(EnrichmentOutcome.Found, fields)
        {
            Notes = Text(answer["notes"]) ?? Text(answer["reasoning"]) ?? Text(answer["summary"]) ?? Text(data?["notes"]),
            References = References(answer["references"]),
        };
    }

    /// <summary>Like an enrichment (<c>{structured_data, notes, references, confidence_score}</c>), or the fields at the answer's top level.</summary>
    public static EnrichmentAnswer MapResearch(JsonNode? json, EnrichmentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (json is JsonObject { } answer && answer["structured_data"] is JsonObject)
        {
            return MapEnrichment(answer, request);
        }

        if (json is not JsonObject top)
        {
            return EnrichmentAnswer.Failed("answered something other than a JSON object", billable: true);
        }

        var fields = FieldValues.Map(request.Fields, f => top[f.Name], out var error);
        if (fields is null)
        {
            return EnrichmentAnswer.Failed(error!, billable: true);
        }

        var notes = Text(top["notes"]);
        var found = fields.Values.Any(EnrichmentAnswer.HasValue) || notes is not null;
        return new EnrichmentAnswer(found ? EnrichmentOutcome.Found : EnrichmentOutcome.NotFound, fields) { Notes = notes, References = References(top["references"]) };
    }

    private static JsonNode? CriterionScore(JsonObject answer, string criterion)
    {
        foreach (var name in ScoreContainers)
        {
            switch (answer[name])
            {
                case JsonObject map:
                    var entry = map.FirstOrDefault(p => string.Equals(p.Key, criterion, StringComparison.OrdinalIgnoreCase)).Value;
                    if (entry is not null)
                    {
                        return entry is JsonObject scored ? scored["score"] : entry;
                    }

                    break;
                case JsonArray list:
                    var item = list.OfType<JsonObject>().FirstOrDefault(o =>
                        string.Equals(Text(o["criteria_name"]) ?? Text(o["name"]) ?? Text(o["criterion"]), criterion, StringComparison.OrdinalIgnoreCase));
                    if (item is not null)
                    {
                        return item["score"];
                    }

                    break;
            }
        }

        return null;
    }

    private static JsonNode? FirstOf(JsonObject source, IEnumerable<string> names) =>
        names.Select(n => source[n]).FirstOrDefault(EnrichmentAnswer.HasValue);

    private static string? Text(JsonNode? node) =>
        node?.GetValueKind() == JsonValueKind.String && node.GetValue<string>() is { Length: > 0 } text ? text : null;
}

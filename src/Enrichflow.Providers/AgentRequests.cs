using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Enrichflow.Providers;

/// <summary>
/// How the blocks of docs/api.md §5.3 put their work in an <see cref="EnrichmentRequest"/>, so that every provider
/// kind reads it the same way and the cache key covers all of it:
/// <list type="bullet">
/// <item><see cref="EnrichmentOperation.ReverseEmail"/> and <see cref="EnrichmentOperation.ReversePhone"/>: the input
/// <c>email</c> or <c>phone</c>; the fields are the person's columns (<see cref="PersonFields"/>).</item>
/// <item><see cref="EnrichmentOperation.Llm"/>: no input; the rendered prompt, the system prompt, the model and the
/// temperature as options (case kept: a prompt is not a name); the fields are the answer's columns.</item>
/// <item><see cref="EnrichmentOperation.QaAgent"/>: the row as input; the criteria as JSON in
/// <see cref="CriteriaOption"/>; the fields are the return fields and one <c>qa_NAME</c> score per criterion.</item>
/// <item><see cref="EnrichmentOperation.ResearchAgent"/>: the row as input, the research plan as an option, the
/// return fields.</item>
/// </list>
/// </summary>
public static class AgentRequests
{
    public const string Phone = "phone";

    public const string PromptOption = "prompt";

    public const string SystemPromptOption = "system_prompt";

    public const string ModelOption = "model";

    public const string TemperatureOption = "temperature";

    public const string ResearchPlanOption = "research_plan";

    public const string CriteriaOption = "qualification_criteria";

    /// <summary>The prefix of a criterion's score column: <c>qa_fit</c> for the criterion <c>fit</c>.</summary>
    public const string ScorePrefix = "qa_";

    /// <summary>What <c>reverse_email</c> and <c>reverse_phone</c> find about the person behind the address or number.</summary>
    public static readonly IReadOnlyList<ReturnField> PersonFields =
    [
        new("name", "The person's full name", ReturnFieldType.Str),
        new("title", "The person's current job title", ReturnFieldType.Str),
        new("company", "The company the person works for", ReturnFieldType.Str),
        new("linkedin", "The URL of the person's LinkedIn profile", ReturnFieldType.Str),
        new("location", "Where the person is based (city, region, country)", ReturnFieldType.Str),
    ];

    /// <summary>The score column of a criterion.</summary>
    public static string ScoreField(string criterionName) => ScorePrefix + criterionName;

    /// <summary>The criteria as the option's JSON: <c>[{criteria_name, description, weight, threshold?}]</c>, Sixtyfour's shape.</summary>
    public static string CriteriaJson(IEnumerable<QualificationCriterion> criteria)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        var list = new JsonArray();
        foreach (var criterion in criteria)
        {
            list.Add(criterion.ToJson());
        }

        return list.ToJsonString();
    }

    /// <summary>The criteria of a <see cref="EnrichmentOperation.QaAgent"/> request (none when the option is missing or unreadable).</summary>
    public static IReadOnlyList<QualificationCriterion> Criteria(EnrichmentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.OptionValue(CriteriaOption) is not { } text)
        {
            return [];
        }

        try
        {
            return JsonNode.Parse(text) is JsonArray list
                ? [.. list.OfType<JsonObject>().Select(QualificationCriterion.FromJson).OfType<QualificationCriterion>()]
                : [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>The request's input as one JSON object, in the row's column order (the row Sixtyfour's agents read as <c>data</c>).</summary>
    public static JsonObject InputObject(EnrichmentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var result = new JsonObject();
        foreach (var (key, value) in request.Input)
        {
            if (value.Length > 0)
            {
                result[key] = value;
            }
        }

        return result;
    }

    /// <summary>The key and value a reverse lookup sends (<c>email</c> or <c>phone</c>), or null when the input has none.</summary>
    public static (string Key, string Value)? ReverseKeyOf(EnrichmentRequest request, string key) =>
        request?.InputValue(key) is { } value ? (key, value) : null;

    /// <summary>The <c>temperature</c> option as a number, or null.</summary>
    public static double? Temperature(EnrichmentRequest request) =>
        request?.OptionValue(TemperatureOption) is { } text && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
}

/// <summary>One qualification criterion of <c>qa_agent</c> (Sixtyfour's <c>QualificationCriteria</c>); scores and thresholds are from 0 to 1.</summary>
public sealed record QualificationCriterion(string Name, string Description, double Weight, double? Threshold)
{
    public JsonObject ToJson()
    {
        var json = new JsonObject { ["criteria_name"] = Name, ["description"] = Description, ["weight"] = Weight };
        if (Threshold is { } threshold)
        {
            json["threshold"] = threshold;
        }

        return json;
    }

    public static QualificationCriterion? FromJson(JsonObject json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (json["criteria_name"]?.GetValueKind() != JsonValueKind.String)
        {
            return null;
        }

        var description = json["description"]?.GetValueKind() == JsonValueKind.String ? json["description"]!.GetValue<string>() : "";
        var weight = json["weight"]?.GetValueKind() == JsonValueKind.Number ? json["weight"]!.GetValue<double>() : 1.0;
        double? threshold = json["threshold"]?.GetValueKind() == JsonValueKind.Number ? json["threshold"]!.GetValue<double>() : null;
        return new QualificationCriterion(json["criteria_name"]!.GetValue<string>(), description, weight, threshold);
    }
}

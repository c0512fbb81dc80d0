using System.Text.Json;
using System.Text.Json.Nodes;

namespace Enrichflow.Blocks.Enrichment;

/// <summary>How an answer is kept in the provider cache: one JSON object with everything a row needs.</summary>
internal static class CachedAnswers
{
    public static string OutcomeName(EnrichmentOutcome outcome) => outcome == EnrichmentOutcome.Found ? "found" : "not_found";

    public static string Serialize(EnrichmentAnswer answer)
    {
        var fields = new JsonObject();
        foreach (var (name, value) in answer.Fields)
        {
            fields[name] = value?.DeepClone();
        }

        var json = new JsonObject
        {
            ["fields"] = fields,
            ["confidence_score"] = answer.ConfidenceScore,
            ["notes"] = answer.Notes,
            ["reason"] = answer.Reason,
            ["people"] = answer.People?.DeepClone(),
        };
        if (answer.References is { } references)
        {
            var refs = new JsonObject();
            foreach (var (url, text) in references)
            {
                refs[url] = text;
            }

            json["references"] = refs;
        }

        return json.ToJsonString();
    }

    public static EnrichmentAnswer Deserialize(string outcome, string text)
    {
        var json = JsonNode.Parse(text) as JsonObject ?? throw new JsonException("A cached answer is not a JSON object.");
        var fields = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        if (json["fields"] is JsonObject stored)
        {
            foreach (var (name, value) in stored)
            {
                fields[name] = value?.DeepClone();
            }
        }

        Dictionary<string, string>? references = null;
        if (json["references"] is JsonObject refs)
        {
            references = refs.Where(r => r.Value is not null).ToDictionary(r => r.Key, r => r.Value!.ToString(), StringComparer.Ordinal);
        }

        return new EnrichmentAnswer(outcome == "found" ? EnrichmentOutcome.Found : EnrichmentOutcome.NotFound, fields)
        {
            ConfidenceScore = json["confidence_score"]?.GetValue<double>(),
            Notes = json["notes"]?.GetValue<string>(),
            Reason = json["reason"]?.GetValue<string>(),
            People = json["people"]?.DeepClone() as JsonArray,
            References = references,
        };
    }
}

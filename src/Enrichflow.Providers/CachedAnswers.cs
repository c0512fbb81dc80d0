using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Storage;

using Enrichflow.Providers.Kinds;

namespace Enrichflow.Providers;

/// <summary>How an answer is kept in the provider cache: one JSON object with everything a row needs.</summary>
public static class CachedAnswers
{
    /// <summary>The stored outcome of a found answer (the other is "not_found").</summary>
    public const string Found = "found";

    public static string OutcomeName(EnrichmentOutcome outcome) => outcome == EnrichmentOutcome.Found ? Found : "not_found";

    /// <summary>
    /// True when a run may use the entry: a found answer younger than the run's <c>ttl_days</c>; a not-found one younger
    /// than that and than <paramref name="notFoundTtlDays"/>.
    /// </summary>
    public static bool IsFresh(ProviderCacheEntry entry, RunEnrichmentSettings run, int notFoundTtlDays, DateTimeOffset now)
    {
        var ttl = entry.Outcome == Found ? run.CacheTtlDays : Math.Min(run.CacheTtlDays, notFoundTtlDays);
        return entry.CreatedAt >= now.AddDays(-ttl);
    }

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

        return new EnrichmentAnswer(outcome == Found ? EnrichmentOutcome.Found : EnrichmentOutcome.NotFound, fields)
        {
            ConfidenceScore = json["confidence_score"]?.GetValue<double>(),
            Notes = json["notes"]?.GetValue<string>(),
            Reason = json["reason"]?.GetValue<string>(),
            People = json["people"]?.DeepClone() as JsonArray,
            References = references,
        };
    }
}

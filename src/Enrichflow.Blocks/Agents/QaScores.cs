using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Providers;

namespace Enrichflow.Blocks.Agents;

/// <summary>
/// How <c>qa_agent</c> turns the criteria's scores into <c>qa_score</c> and <c>qa_qualified</c>, the same for every
/// provider: scores on 0–1 (an answer whose largest score is above 1 is read as 0–10, above 10 as 0–100), the
/// weighted mean of the scores given, and every threshold met (without thresholds, a mean of 0.5 or more).
/// </summary>
internal static class QaScores
{
    public const double PassMark = 0.5;

    public static double? Number(JsonNode? value) =>
        value?.GetValueKind() == JsonValueKind.Number && value.GetValue<double>() is var number && double.IsFinite(number) ? number : null;

    /// <summary>The scores on 0–1, rounded to 4 places; a missing score stays null.</summary>
    public static List<double?> Normalize(List<double?> scores)
    {
        var largest = scores.OfType<double>().DefaultIfEmpty(0).Max();
        var scale = largest > 10 ? 100.0 : largest > 1 ? 10.0 : 1.0;
        return [.. scores.Select(s => s is { } score ? Math.Round(Math.Clamp(score / scale, 0, 1), 4) : (double?)null)];
    }

    /// <summary>The weighted mean of the scores given; null when none was.</summary>
    public static double? Overall(IReadOnlyList<QualificationCriterion> criteria, IReadOnlyList<double?> scores)
    {
        double sum = 0, weights = 0;
        for (var i = 0; i < criteria.Count; i++)
        {
            if (scores[i] is { } score)
            {
                sum += criteria[i].Weight * score;
                weights += criteria[i].Weight;
            }
        }

        return weights > 0 ? Math.Round(sum / weights, 4) : null;
    }

    /// <summary>Every criterion with a threshold met (a missing score fails it); with no thresholds, the overall score reaches <see cref="PassMark"/>.</summary>
    public static bool Qualified(IReadOnlyList<QualificationCriterion> criteria, IReadOnlyList<double?> scores, double? overall)
    {
        var gated = Enumerable.Range(0, criteria.Count).Where(i => criteria[i].Threshold is not null).ToList();
        return gated.Count > 0
            ? gated.All(i => scores[i] is { } score && score >= criteria[i].Threshold!.Value)
            : overall >= PassMark;
    }
}

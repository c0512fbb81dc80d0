using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Providers;
using Enrichflow.Providers.Kinds;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;
using Enrichflow.Core.Storage;

namespace Enrichflow.Blocks.Enrichment;

/// <summary>
/// The compiled enrichment block (see <see cref="EnrichCompanyBlockType"/> and its siblings). Every row of a chunk
/// is worked on at once (the providers' gates decide how many calls are really in flight); a row goes through
/// the waterfall until its fields are filled. Rows are written in input order once all are done: found and not
/// found rows pass on with their <c>enrich_status</c>, failed rows go to rejects with the providers' reasons.
/// </summary>
internal sealed partial class EnrichBlock(EnrichPlan plan) : RowBlock, IProviderCallEstimator
{
    public override IReadOnlyList<string> ReadsColumns => plan.Inputs.SpecColumns;

    public override IReadOnlyList<string> AddsColumns => plan.AddedColumns;

    internal EnrichPlan Plan => plan;

    public override async ValueTask ProcessAsync(RowChunk input, ChunkOutput output, BlockRunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(context);
        if (input.Count == 0)
        {
            return;
        }

        var results = await ChunkCalls.AskEachAsync(input, context, plan.Providers.Any(p => !p.IsLocal), plan.StopFields, EnrichRowAsync, cancellationToken);
        for (var i = 0; i < input.Count; i++)
        {
            var row = input.Rows[i];
            var result = results[i];
            if (result.Status == "failed")
            {
                output.Fail(row, $"{Describe()}: {result.Reason}");
                continue;
            }

            Write(row, result);
            output.Emit(row);
        }
    }

    /// <summary>The row's request (docs/api.md §5.2); null when the row has no identifying value.</summary>
    private EnrichmentRequest? RequestOf(Row row, IReadOnlyList<ReturnField> fields) =>
        plan.Inputs.Of(row) is { } inputs ? RequestOf(inputs, fields) : null;

    private EnrichmentRequest RequestOf(IReadOnlyDictionary<string, string> inputs, IReadOnlyList<ReturnField> fields) =>
        new(plan.Operation, inputs, fields, plan.Options) { PeopleFields = plan.PeopleFields };


    private async Task<RowResult> EnrichRowAsync(EnrichmentCaller caller, EnrichmentSession session, Row row, CancellationToken cancellationToken)
    {
        await Task.Yield();
        if (plan.Inputs.Of(row) is not { } inputs)
        {
            return RowResult.Failed($"nothing to look up: none of the columns {plan.Inputs.LookedFor} has a value");
        }

        var filled = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        var contributors = new List<string>();
        var failures = new List<string>();
        string? notFound = null;
        EnrichmentAnswer? first = null;
        try
        {
            foreach (var provider in plan.Providers)
            {
                if (plan.StopFields.All(f => EnrichmentAnswer.HasValue(filled.GetValueOrDefault(f))))
                {
                    break;
                }

                // Research asks only for what is still missing; a finder always asks for its whole answer.
                var fields = plan.IsResearch ? plan.Fields.Where(f => !EnrichmentAnswer.HasValue(filled.GetValueOrDefault(f.Name))).ToList() : plan.Fields;
                var request = RequestOf(inputs, fields);
                var answer = await caller.CallAsync(session, provider, request, row.Index, cancellationToken);
                switch (answer.Outcome)
                {
                    case EnrichmentOutcome.Failed:
                        failures.Add($"{provider.Name}: {answer.Reason}");
                        break;
                    case EnrichmentOutcome.NotFound:
                        notFound ??= answer.Reason ?? $"{provider.Name} found nothing";
                        break;
                    default:
                        var added = false;
                        foreach (var field in fields)
                        {
                            if (answer.Fields.GetValueOrDefault(field.Name) is { } value && EnrichmentAnswer.HasValue(value) && !EnrichmentAnswer.HasValue(filled.GetValueOrDefault(field.Name)))
                            {
                                filled[field.Name] = value;
                                added = true;
                            }
                        }

                        if (added || answer.People is { Count: > 0 })
                        {
                            contributors.Add(provider.Name);
                            first ??= answer;
                        }
                        else
                        {
                            notFound ??= $"{provider.Name} found nothing";
                        }

                        break;
                }
            }
        }
        catch (RunPauseException e)
        {
            // Calls already under way finish (and are cached); a provider out of credits starts no new one (RequestPause).
            session.RequestPause(e);
            throw;
        }

        if (contributors.Count > 0)
        {
            return new RowResult("ok", filled, string.Join(",", contributors), first, null);
        }

        return notFound is not null || failures.Count == 0
            ? new RowResult("not_found", filled, null, null, notFound)
            : RowResult.Failed(string.Join("; ", failures));
    }

    private void Write(Row row, RowResult result)
    {
        foreach (var field in plan.Fields)
        {
            Set(row, field.Name, ToRowValue(result.Fields.GetValueOrDefault(field.Name)));
        }

        if (plan.IsResearch)
        {
            Set(row, "confidence_score", result.Answer?.ConfidenceScore);
            Set(row, "notes", result.Answer?.Notes);
            Set(row, "references", result.Answer?.References is { Count: > 0 } references
                ? new JsonObject(references.Select(r => KeyValuePair.Create(r.Key, (JsonNode?)JsonValue.Create(r.Value))))
                : null);
        }

        if (plan.FindPeople)
        {
            Set(row, "people", result.Answer?.People?.DeepClone());
        }

        row["enrich_status"] = result.Status;
        row["enrich_provider"] = result.Provider;
    }

    /// <summary>
    /// Writes a column the block adds, under <c>overwrite</c> (docs/api.md §5): a non-empty input value is never
    /// blanked by an empty answer, and under <c>never</c> it is not replaced at all.
    /// </summary>
    private void Set(Row row, string column, object? value)
    {
        if (row.TryGetValue(column, out var input) && !IsEmpty(input) && (IsEmpty(value) || plan.Overwrite == OverwritePolicy.Never))
        {
            return;
        }

        row[column] = value;
    }

    private static bool IsEmpty(object? value) => value switch
    {
        null => true,
        string text => string.IsNullOrWhiteSpace(text),
        JsonNode node => !EnrichmentAnswer.HasValue(node),
        _ => false,
    };

    private static object? ToRowValue(JsonNode? value) =>
        value is null ? null : RowValues.FromElement(JsonSerializer.SerializeToElement(value));

    private string Describe() => plan.Operation switch
    {
        EnrichmentOperation.EnrichCompany or EnrichmentOperation.EnrichPerson => "enrichment",
        EnrichmentOperation.FindEmail => "find_email",
        _ => "find_phone",
    };

    /// <summary>Trimmed, inner whitespace collapsed; null when empty.</summary>
    internal static string? Normalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    private sealed record RowResult(string Status, Dictionary<string, JsonNode?> Fields, string? Provider, EnrichmentAnswer? Answer, string? Reason)
    {
        public static RowResult Failed(string reason) => new("failed", [], null, null, reason);
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Blocks.Enrichment;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;
using Enrichflow.Providers;

namespace Enrichflow.Blocks.Agents;

/// <summary>
/// What the blocks of docs/api.md §5.3 share: one provider call per row through the <see cref="EnrichmentCaller"/>,
/// so each call is cached (the organization's answer cache), paced (the provider's limits) and metered (credits,
/// usage, the run's budget) exactly like enrichment. Every row of a chunk is asked at once; a row the provider
/// failed (a bad answer, an answer that breaks its schema, retries used up) goes to rejects with the reason and the
/// run goes on; the others are written and passed on in input order.
/// </summary>
internal abstract partial class ProviderCallBlock(IEnrichmentProvider provider, string blockName) : RowBlock, IProviderCallEstimator
{
    internal IEnrichmentProvider Provider => provider;

    /// <summary>The fields that make an answer a hit in usage (the others are extras).</summary>
    protected abstract IReadOnlyList<string> StopFields { get; }

    /// <summary>The row's request, or why the row cannot be asked (it then fails without a call).</summary>
    protected abstract RowRequest RequestFor(Row row);

    /// <summary>Writes a found or not-found answer into the row.</summary>
    protected abstract void Write(Row row, EnrichmentAnswer answer);

    public override async ValueTask ProcessAsync(RowChunk input, ChunkOutput output, BlockRunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(context);
        if (input.Count == 0)
        {
            return;
        }

        var results = await ChunkCalls.AskEachAsync(input, context, !provider.IsLocal, StopFields, AskAsync, cancellationToken);
        for (var i = 0; i < input.Count; i++)
        {
            var row = input.Rows[i];
            var answer = results[i];
            if (answer.Outcome == EnrichmentOutcome.Failed)
            {
                output.Fail(row, $"{blockName}: {answer.Reason}");
                continue;
            }

            Write(row, answer);
            output.Emit(row);
        }
    }

    private async Task<EnrichmentAnswer> AskAsync(EnrichmentCaller caller, EnrichmentSession session, Row row, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var asked = RequestFor(row);
        if (asked.Request is not { } request)
        {
            return EnrichmentAnswer.Failed(asked.Failure ?? "nothing to ask");
        }

        try
        {
            var answer = await caller.CallAsync(session, provider, request, row.Index, cancellationToken);
            return answer.Outcome == EnrichmentOutcome.Failed ? answer with { Reason = $"{provider.Name}: {answer.Reason}" } : answer;
        }
        catch (RunPauseException e)
        {
            // Calls already under way finish (and are cached); a provider out of credits starts no new one (RequestPause).
            session.RequestPause(e);
            throw;
        }
    }


    /// <summary>A provider's value as a row value (a string, number, bool, or a JSON node for lists and objects).</summary>
    protected static object? ToRowValue(JsonNode? value) =>
        value is null ? null : RowValues.FromElement(JsonSerializer.SerializeToElement(value));

    /// <summary>Trimmed, inner white space collapsed; null when empty.</summary>
    protected static string? Normalize(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>Every non-empty column of the row as text, in column order: what the agents read as the row.</summary>
    protected static Dictionary<string, string> RowInput(Row row)
    {
        var input = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var column in row.Keys)
        {
            if (Normalize(row.GetText(column)) is { } value)
            {
                input[column] = value;
            }
        }

        return input;
    }
}

/// <summary>A row's request, or why there is none.</summary>
internal readonly record struct RowRequest(EnrichmentRequest? Request, string? Failure)
{
    public static RowRequest Of(EnrichmentRequest request) => new(request, null);

    public static RowRequest Cannot(string failure) => new(null, failure);
}

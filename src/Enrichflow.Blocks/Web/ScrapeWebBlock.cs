using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;
using Enrichflow.Providers;
using Enrichflow.Providers.Kinds;

namespace Enrichflow.Blocks.Web;

/// <summary>
/// The compiled <c>scrape_web</c> block (see <see cref="ScrapeWebBlockType"/>). Every row of a chunk is fetched at once
/// through the <see cref="EnrichmentCaller"/> (cache first, then the provider's rate and in-flight limits), and rows are
/// written in input order once all are done.
/// </summary>
internal sealed class ScrapeWebBlock(string urlField, IReadOnlyList<(string Name, ReturnFieldType Type)> parts, long maxBytes, IEnrichmentProvider provider) : RowBlock
{
    private const string Prefix = "web_";

    private readonly IReadOnlyList<ReturnField> _fields =
        [new ReturnField("url", "The page's URL after redirects", ReturnFieldType.Str), .. parts.Select(p => new ReturnField(p.Name, $"The page's {p.Name}", p.Type))];

    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal)
    {
        [WebsiteProvider.SinglePageOption] = "true",
        [WebsiteProvider.MaxBytesOption] = maxBytes.ToString(CultureInfo.InvariantCulture),
    };

    public override IReadOnlyList<string> ReadsColumns => [urlField];

    public override IReadOnlyList<string> AddsColumns => [.. _fields.Select(f => Prefix + f.Name), Prefix + "status"];

    public override async ValueTask ProcessAsync(RowChunk input, ChunkOutput output, BlockRunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(context);
        if (input.Count == 0)
        {
            return;
        }

        var caller = BlockServices.Require<EnrichmentCaller>(context, "the enrichment service");
        if (context.WaitsOnRemoteCalls is { } waits)
        {
            await waits(cancellationToken);
        }

        var session = caller.Begin(context, []);
        var work = new Task<EnrichmentAnswer?>[input.Count];
        for (var i = 0; i < input.Count; i++)
        {
            work[i] = FetchAsync(caller, session, input.Rows[i], context.ReportRowsDone, cancellationToken);
        }

        try
        {
            await Task.WhenAll(work);
        }
        catch (Exception) when (work.Select(t => t.Exception?.InnerException).OfType<RunPauseException>().FirstOrDefault() is { } pause)
        {
            throw pause;
        }
        finally
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                await session.FlushAsync(CancellationToken.None);
            }
        }

        for (var i = 0; i < input.Count; i++)
        {
            var row = input.Rows[i];
            switch (work[i].Result)
            {
                case null:
                    output.Fail(row, $"scrape_web: column '{urlField}' is empty or missing");
                    break;
                case { Outcome: EnrichmentOutcome.Failed } failed:
                    row[Prefix + "status"] = "failed";
                    output.Fail(row, $"scrape_web: {failed.Reason}");
                    break;
                case var answer:
                    foreach (var field in _fields)
                    {
                        row[Prefix + field.Name] = ToRowValue(answer.Fields.GetValueOrDefault(field.Name));
                    }

                    row[Prefix + "status"] = answer.Outcome == EnrichmentOutcome.NotFound ? "not_found" : "ok";
                    output.Emit(row);
                    break;
            }
        }
    }

    /// <summary>The page's answer; null when the row has no URL.</summary>
    private async Task<EnrichmentAnswer?> FetchAsync(EnrichmentCaller caller, EnrichmentSession session, Row row, Action<int>? reportRowsDone, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            var url = row.GetText(urlField)?.Trim();
            if (string.IsNullOrEmpty(url))
            {
                return null;
            }

            var inputs = new Dictionary<string, string>(StringComparer.Ordinal) { [InputKeys.Website] = url };
            try
            {
                return await caller.CallAsync(session, provider, new EnrichmentRequest(EnrichmentOperation.EnrichCompany, inputs, _fields, _options), row.Index, cancellationToken);
            }
            catch (RunPauseException e)
            {
                session.RequestPause(e);
                throw;
            }
        }
        finally
        {
            reportRowsDone?.Invoke(1);
        }
    }

    private static object? ToRowValue(JsonNode? value) =>
        value is null ? null : RowValues.FromElement(JsonSerializer.SerializeToElement(value));
}

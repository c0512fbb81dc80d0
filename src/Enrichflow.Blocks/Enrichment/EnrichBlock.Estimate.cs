using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;
using Enrichflow.Core.Storage;
using Microsoft.Extensions.Options;

using Enrichflow.Providers;
using Enrichflow.Providers.Kinds;

namespace Enrichflow.Blocks.Enrichment;

/// <summary>
/// What a row of an enrichment block will cost, for <c>POST /workflows/estimate</c>: per waterfall step, the share
/// of rows that reach it, those the cache answers, and the calls and credits of the rest given the provider's past
/// hit rate (a local table is simply asked). No paid call is made.
/// </summary>
internal sealed partial class EnrichBlock
{
    /// <summary>The hit rate assumed for a provider with fewer past answers than <see cref="MinHistory"/>.</summary>
    private const double DefaultHitRate = 0.5;

    private const long MinHistory = 20;

    public async Task<ProviderCallEstimate> EstimateAsync(IReadOnlyList<Row> sample, BlockRunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(context);
        var cache = BlockServices.Require<IProviderCache>(context, "a provider cache");
        var usage = BlockServices.Require<IUsageStore>(context, "a usage store");
        var notFoundTtl = ((context.Services.GetService(typeof(IOptions<EnrichmentOptions>)) as IOptions<EnrichmentOptions>)?.Value ?? new EnrichmentOptions()).NotFoundTtlDays;
        var requests = sample.Select(row => RequestOf(row, plan.Fields)).ToList();
        var reach = requests.Select(r => r is null ? 0.0 : 1.0).ToArray();
        var n = Math.Max(1, sample.Count);
        var steps = new List<ProviderStepEstimate>();
        foreach (var provider in plan.Providers)
        {
            double reached = reach.Sum(), calls = 0, cacheHits = 0, hitRate;
            string basis;
            var next = new double[reach.Length];
            if (provider.IsLocal)
            {
                // A local table is free and instant: ask it.
                double filled = 0;
                for (var i = 0; i < reach.Length; i++)
                {
                    if (reach[i] == 0)
                    {
                        continue;
                    }

                    var answer = await provider.CallAsync(requests[i]!, cancellationToken);
                    var hit = Fills(answer);
                    filled += hit ? reach[i] : 0;
                    next[i] = hit ? 0 : reach[i];
                    calls += reach[i];
                }

                hitRate = reached > 0 ? filled / reached : 0;
                basis = "local";
            }
            else
            {
                var totals = await usage.GetProviderTotalsAsync(context.OrgId, provider.Name, cancellationToken);
                (hitRate, basis) = totals.Hits + totals.Misses >= MinHistory
                    ? ((double)totals.Hits / (totals.Hits + totals.Misses), "history")
                    : (DefaultHitRate, "default");
                var keys = requests.Where((r, i) => r is not null && reach[i] > 0).Select(r => r!.CacheKey).Distinct(StringComparer.Ordinal).ToList();
                var cached = context.Enrichment.CacheEnabled && keys.Count > 0
                    ? await cache.GetManyAsync(context.OrgId, provider.Name, keys, cancellationToken)
                    : new Dictionary<string, ProviderCacheEntry>();
                var now = context.Time.GetUtcNow();
                for (var i = 0; i < reach.Length; i++)
                {
                    if (reach[i] == 0)
                    {
                        continue;
                    }

                    if (cached.TryGetValue(requests[i]!.CacheKey, out var entry)
                        && CachedAnswers.IsFresh(entry, context.Enrichment, notFoundTtl, now))
                    {
                        cacheHits += reach[i];
                        next[i] = entry.Outcome == CachedAnswers.Found && Fills(CachedAnswers.Deserialize(entry.Outcome, entry.AnswerJson)) ? 0 : reach[i];
                    }
                    else
                    {
                        calls += reach[i];
                        next[i] = reach[i] * (1 - hitRate);
                    }
                }
            }

            steps.Add(new ProviderStepEstimate(provider.Name, reached / n, calls / n, cacheHits / n, hitRate, basis, calls * (double)provider.Limits.CreditsPerCall / n));
            reach = next;
        }

        return new ProviderCallEstimate(steps.Sum(s => s.CallsPerRow), steps.Sum(s => s.CacheHitsPerRow), steps.Sum(s => s.CreditsPerRow), steps);
    }

    private bool Fills(EnrichmentAnswer answer) =>
        answer.Outcome == EnrichmentOutcome.Found && plan.StopFields.All(f => EnrichmentAnswer.HasValue(answer.Fields.GetValueOrDefault(f)));
}

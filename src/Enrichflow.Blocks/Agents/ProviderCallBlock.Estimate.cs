using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;
using Enrichflow.Core.Storage;
using Enrichflow.Providers;
using Microsoft.Extensions.Options;

namespace Enrichflow.Blocks.Agents;

/// <summary>
/// What a row will cost, for <c>POST /workflows/estimate</c>: one call per row that can be asked, less the rows whose
/// answer is in the cache; the hit rate from the provider's past answers (0.5 with fewer than 20). No paid call.
/// </summary>
internal abstract partial class ProviderCallBlock
{
    private const double DefaultHitRate = 0.5;

    private const long MinHistory = 20;

    public async Task<ProviderCallEstimate> EstimateAsync(IReadOnlyList<Row> sample, BlockRunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(context);
        var requests = sample.Select(row => RequestFor(row.Clone()).Request).OfType<EnrichmentRequest>().ToList();
        var n = Math.Max(1, sample.Count);
        double calls = requests.Count, cacheHits = 0, hitRate = DefaultHitRate;
        var basis = "default";
        if (provider.IsLocal)
        {
            basis = "local";
            var found = 0;
            foreach (var request in requests)
            {
                found += (await provider.CallAsync(request, cancellationToken)).Outcome == EnrichmentOutcome.Found ? 1 : 0;
            }

            hitRate = requests.Count > 0 ? (double)found / requests.Count : 0;
        }
        else
        {
            var cache = BlockServices.Require<IProviderCache>(context, "a provider cache");
            var usage = BlockServices.Require<IUsageStore>(context, "a usage store");
            var totals = await usage.GetProviderTotalsAsync(context.OrgId, provider.Name, cancellationToken);
            if (totals.Hits + totals.Misses >= MinHistory)
            {
                (hitRate, basis) = ((double)totals.Hits / (totals.Hits + totals.Misses), "history");
            }

            if (context.Enrichment.CacheEnabled && requests.Count > 0)
            {
                var notFoundTtl = ((context.Services.GetService(typeof(IOptions<EnrichmentOptions>)) as IOptions<EnrichmentOptions>)?.Value ?? new EnrichmentOptions()).NotFoundTtlDays;
                var cached = await cache.GetManyAsync(context.OrgId, provider.Name, [.. requests.Select(r => r.CacheKey).Distinct(StringComparer.Ordinal)], cancellationToken);
                var now = context.Time.GetUtcNow();
                cacheHits = requests.Count(r => cached.TryGetValue(r.CacheKey, out var entry) && CachedAnswers.IsFresh(entry, context.Enrichment, notFoundTtl, now));
                calls -= cacheHits;
            }
        }

        var credits = provider.IsLocal ? 0 : calls * (double)provider.Limits.CreditsPerCall / n;
        var step = new ProviderStepEstimate(provider.Name, (double)requests.Count / n, calls / n, cacheHits / n, hitRate, basis, credits);
        return new ProviderCallEstimate(step.CallsPerRow, step.CacheHitsPerRow, step.CreditsPerRow, [step]);
    }
}

using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;


namespace Enrichflow.Core.Blocks;

/// <summary>A block that calls paid providers and can say, from a sample of its input, what a row will cost (<c>POST /workflows/estimate</c>).</summary>
public interface IProviderCallEstimator
{
    /// <summary>Expected calls and credits per input row, from the sample, the provider cache and past hit rates. Makes no paid call.</summary>
    Task<ProviderCallEstimate> EstimateAsync(IReadOnlyList<Row> sample, BlockRunContext context, CancellationToken cancellationToken);
}

/// <summary>Per input row: provider calls, answers from the cache, credits; and the same per waterfall step.</summary>
public sealed record ProviderCallEstimate(double CallsPerRow, double CacheHitsPerRow, double CreditsPerRow, IReadOnlyList<ProviderStepEstimate> Steps);

/// <param name="ReachPerRow">Share of input rows that get to this step (earlier steps did not fill them).</param>
/// <param name="HitRate">Share of calls expected to fill every field.</param>
/// <param name="HitRateBasis">"history" (this organization's past calls), "local" (the table was asked) or "default" (too few past calls).</param>
public sealed record ProviderStepEstimate(
    string Provider,
    double ReachPerRow,
    double CallsPerRow,
    double CacheHitsPerRow,
    double HitRate,
    string HitRateBasis,
    double CreditsPerRow);

using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Rows;
using Enrichflow.Core.Storage;
using Enrichflow.Engine;

namespace Enrichflow.Engine.Estimates;

/// <summary>One block's share of an estimate.</summary>
/// <param name="Basis">How its rows were predicted: "input", "sample" (the block ran over the sample), "pass-through" (assumed to keep every row).</param>
public sealed record BlockEstimate(
    string BlockId,
    string BlockName,
    long RowsInEstimate,
    long ProviderCallsEstimate,
    double CreditsEstimate,
    long CacheHitsEstimate,
    string Basis,
    IReadOnlyList<ProviderStepEstimateResponse>? Providers);

public sealed record ProviderStepEstimateResponse(string Provider, long RowsEstimate, long CallsEstimate, long CacheHitsEstimate, double HitRate, string HitRateBasis, double CreditsEstimate);

/// <summary>The answer of <c>POST /workflows/estimate</c> (docs/api.md §3).</summary>
public sealed record WorkflowEstimate(
    long RowsIn,
    bool RowsInExact,
    int SampleRows,
    IReadOnlyList<BlockEstimate> Blocks,
    long ProviderCallsEstimate,
    double CreditsEstimate,
    IReadOnlyList<string> Notes);

/// <summary>
/// Predicts a run without running it (docs/architecture.md §4 "Budget"): reads the first rows of the input as a sample,
/// runs the cheap, side-effect-free blocks over it to measure how many rows each passes on, and asks each
/// enrichment block what a row will cost given the provider cache and past hit rates. No paid call is made and
/// nothing is written.
/// </summary>
public sealed class WorkflowEstimator(IBlobStore blobs, IServiceProvider services, TimeProvider time)
{
    /// <summary>Rows read from the input as the sample.</summary>
    public const int SampleSize = 1000;

    public async Task<WorkflowEstimate> EstimateAsync(string orgId, string workflowId, WorkflowPlan plan, RunOptions options, CancellationToken cancellationToken)
    {
        var estimateId = Guid.CreateVersion7();
        var notes = new List<string>();
        var source = (SourceBlock)plan.Source.Compiled;
        var input = new SourceInput
        {
            OpenAsync = ct => blobs.OpenReadAsync(options.InputBlobKey, ct).AsTask(),
            FileName = options.InputFileName,
        };

        var sample = new List<Row>(SampleSize);
        var exhausted = true;
        long records = 0;
        await foreach (var record in source.ReadAsync(input, Context(orgId, workflowId, estimateId, plan.Source, options), cancellationToken))
        {
            if (records == SampleSize)
            {
                exhausted = false;
                break;
            }

            records++;
            if (record.Row is { } row)
            {
                sample.Add(row);
            }
        }

        long rowsIn = exhausted ? sample.Count : Math.Max(sample.Count, options.EstimatedRows ?? sample.Count);
        if (!exhausted && options.EstimatedRows is null)
        {
            notes.Add($"The input's size is unknown; the estimate counts only the {sample.Count} sampled rows.");
        }
        else if (!exhausted && options.InputFileName is not null)
        {
            notes.Add("The upload's row count is estimated from its size and the first rows.");
        }

        var scale = sample.Count == 0 ? 0 : (double)rowsIn / sample.Count;
        var outputs = new Dictionary<string, List<Row>>(StringComparer.Ordinal) { [plan.Source.Id] = sample };
        var uncertain = new HashSet<string>(StringComparer.Ordinal);
        var blocks = new List<BlockEstimate> { new(plan.Source.Id, plan.Source.Type.Name, rowsIn, 0, 0, 0, "input", null) };
        foreach (var block in plan.Blocks.Where(b => !b.IsSource))
        {
            var rows = new List<Row>();
            var edges = block.Compiled is MergeBlock { HasBuildSide: true } ? block.Inputs.Take(1) : block.Inputs;
            foreach (var edge in edges)
            {
                rows.AddRange(outputs[edge.FromBlockId].Where(r => edge.Condition is null || SafeIsTrue(edge, r)));
            }

            var afterUnknown = block.Inputs.Any(e => uncertain.Contains(e.FromBlockId));
            var rowsInEstimate = (long)Math.Round(rows.Count * scale);
            var context = Context(orgId, workflowId, estimateId, block, options);
            if (block.Compiled is IProviderCallEstimator estimator)
            {
                var estimate = await estimator.EstimateAsync(rows, context, cancellationToken);
                blocks.Add(new BlockEstimate(block.Id, block.Type.Name, rowsInEstimate,
                    (long)Math.Round(estimate.CallsPerRow * rowsInEstimate),
                    Math.Round(estimate.CreditsPerRow * rowsInEstimate, 2),
                    (long)Math.Round(estimate.CacheHitsPerRow * rowsInEstimate),
                    afterUnknown ? "pass-through" : "sample",
                    [.. estimate.Steps.Select(s => new ProviderStepEstimateResponse(s.Provider, (long)Math.Round(s.ReachPerRow * rowsInEstimate),
                        (long)Math.Round(s.CallsPerRow * rowsInEstimate), (long)Math.Round(s.CacheHitsPerRow * rowsInEstimate),
                        Math.Round(s.HitRate, 4), s.HitRateBasis, Math.Round(s.CreditsPerRow * rowsInEstimate, 2)))]));
                outputs[block.Id] = rows;
                uncertain.Add(block.Id);
                if (estimate.Steps.Any(s => s.HitRateBasis == "default"))
                {
                    notes.Add($"Block '{block.Id}': a provider has too few past answers for a hit rate; 50% is assumed.");
                }

                continue;
            }

            if (!afterUnknown && block.Type.RunsOnSample && block.Compiled is RowBlock rowBlock)
            {
                var output = new ChunkOutput(rows.Count);
                await rowBlock.ProcessAsync(new RowChunk(0, [.. rows.Select(r => r.Clone())]), output, context, cancellationToken);
                outputs[block.Id] = output.Rows;
                blocks.Add(new BlockEstimate(block.Id, block.Type.Name, rowsInEstimate, 0, 0, 0, "sample", null));
                continue;
            }

            outputs[block.Id] = rows;
            if (afterUnknown)
            {
                uncertain.Add(block.Id);
            }

            blocks.Add(new BlockEstimate(block.Id, block.Type.Name, rowsInEstimate, 0, 0, 0, "pass-through", null));
        }

        if (uncertain.Count > 0 && plan.Blocks.Any(b => b.Inputs.Any(e => uncertain.Contains(e.FromBlockId)) && b.Compiled is not IProviderCallEstimator))
        {
            notes.Add("Blocks after an enrichment block are assumed to keep every row: what they keep depends on the providers' answers.");
        }

        return new WorkflowEstimate(rowsIn, exhausted, sample.Count, blocks,
            blocks.Sum(b => b.ProviderCallsEstimate), Math.Round(blocks.Sum(b => b.CreditsEstimate), 2), notes);
    }

    private static bool SafeIsTrue(PlannedEdge edge, Row row)
    {
        try
        {
            return edge.Condition!.IsTrue(row);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return false;
        }
    }

    private BlockRunContext Context(string orgId, string workflowId, Guid estimateId, PlannedBlock block, RunOptions options) => new()
    {
        RunId = estimateId,
        OrgId = orgId,
        BlockId = block.Id,
        WorkflowId = workflowId,
        Services = services,
        Time = time,
        Enrichment = new RunEnrichmentSettings(options.CacheConfig.Enabled, options.CacheConfig.TtlDays, options.MaxCredits),
    };
}

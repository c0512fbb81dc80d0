using System.Collections.Concurrent;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.Execution;

namespace Enrichflow.Engine.Results;

/// <summary>
/// Renders a pending result file (docs/api.md §3.1, <c>Results:Materialize</c>) the first time it is wanted, from the
/// run's committed chunks, and records it with its size; later calls find it rendered. Two renderings of one file at
/// once (two downloads, two nodes) write the same bytes, and one process renders a file once at a time.
/// </summary>
public sealed class ResultRenderer(IRunStore store, RunPlans plans, ResultAssembler assembler)
{
    private readonly ConcurrentDictionary<(Guid Run, string File), SemaphoreSlim> _rendering = new();

    /// <summary>The file, rendered: as it is when it was written already, else after writing it.</summary>
    public async Task<ResultFileRecord> EnsureRenderedAsync(RunRecord run, ResultFileRecord file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(file);
        if (!file.Pending)
        {
            return file;
        }

        var gate = _rendering.GetOrAdd((run.Id, file.FileName), _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var current = (await store.ListResultFilesAsync(run.Id, cancellationToken)).FirstOrDefault(f => f.FileName == file.FileName) ?? file;
            if (!current.Pending)
            {
                return current;
            }

            var (plan, _) = plans.Get(run);
            ResultFileRecord rendered;
            if (current.FileName == ResultAssembler.RejectsFileName)
            {
                rendered = await assembler.RenderRejectsAsync(run, plan, current, cancellationToken)
                    ?? throw new InvalidOperationException($"Run {run.Id} recorded {current.RowCount} rejected rows, but none could be rendered.");
            }
            else
            {
                var block = plan[current.BlockId];
                var chunks = await store.ListChunkOutputsAsync(run.Id, block.Id, cancellationToken);
                rendered = await assembler.RenderBlockFileAsync(run, plan, block, current, chunks, cancellationToken);
            }

            await store.PutResultFileAsync(rendered, cancellationToken);
            return rendered;
        }
        finally
        {
            gate.Release();
            _rendering.TryRemove(new KeyValuePair<(Guid, string), SemaphoreSlim>((run.Id, file.FileName), gate));
        }
    }
}

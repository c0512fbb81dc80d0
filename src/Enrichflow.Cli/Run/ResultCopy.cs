using Enrichflow.Core.Definitions;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.Results;
using Microsoft.Extensions.DependencyInjection;

namespace Enrichflow.Cli.Run;

/// <summary>
/// Copies a run's result files into <c>--out</c> under the names the API's download links give them
/// (<c>&lt;sequence_number&gt;_&lt;block_id&gt;.&lt;ext&gt;</c>, and <c>rejects.ndjson</c>), in the links' order: rejects first, then by block.
/// A file that is recorded but not rendered yet is rendered from the run's stored chunks first, as a download would.
/// </summary>
internal static class ResultCopy
{
    public static async Task<IReadOnlyList<CopiedFile>> CopyAsync(IServiceProvider services, RunRecord run, WorkflowPlan plan, IReadOnlyList<ResultFormat> formats, string outDirectory, CancellationToken cancellationToken)
    {
        var store = services.GetRequiredService<IRunStore>();
        var blobs = services.GetRequiredService<IBlobStore>();
        var renderer = services.GetRequiredService<ResultRenderer>();
        var positions = plan.Blocks.ToDictionary(b => b.Id, b => b.Position, StringComparer.Ordinal);
        var listed = (await store.ListResultFilesAsync(run.Id, cancellationToken))
            .Where(f => f.FileName == ResultAssembler.RejectsFileName || formats.Contains(f.Format))
            .OrderBy(f => f.FileName == ResultAssembler.RejectsFileName ? -1 : positions.GetValueOrDefault(f.BlockId, int.MaxValue))
            .ThenBy(f => formats.ToList().IndexOf(f.Format))
            .ToList();

        Directory.CreateDirectory(outDirectory);
        var copied = new List<CopiedFile>(listed.Count);
        foreach (var recorded in listed)
        {
            var file = await renderer.EnsureRenderedAsync(run, recorded, cancellationToken);
            var path = Path.GetFullPath(Path.Combine(outDirectory, file.FileName));
            await using (var source = await blobs.OpenReadAsync(file.BlobKey, cancellationToken))
            await using (var target = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await source.CopyToAsync(target, cancellationToken);
            }

            copied.Add(new CopiedFile(file.FileName, path, file.BlockId, file.Format.ToWire(), file.RowCount, new FileInfo(path).Length, file.Message));
        }

        return copied;
    }
}

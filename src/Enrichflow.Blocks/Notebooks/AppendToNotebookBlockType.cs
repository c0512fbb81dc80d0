using Enrichflow.Blocks.Dedupe;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Buffers;
using Enrichflow.Core.Rows;
using Enrichflow.Core.Storage;

namespace Enrichflow.Blocks.Notebooks;

/// <summary>
/// <c>append_to_notebook</c>: appends the rows to an org-level notebook and passes them on. With key fields an
/// append is idempotent: a key already in the notebook (appended by this or any earlier or concurrent run) is
/// not appended again; the first writer of a key keeps it. Each chunk is one segment, recorded once.
/// </summary>
public sealed class AppendToNotebookBlockType : BlockType<AppendToNotebookSpecs>
{
    public override string Name => "append_to_notebook";

    public override string SpecsExample => """
        {"notebook_id": "__create_new__", "notebook_name": "Qualified leads", "key_fields": ["email"]}
        """;

    public override string Description =>
        "Appends rows to an org-level notebook (notebook_id, or __create_new__ with notebook_name) and passes them on; " +
        "with key_fields, a key already in the notebook is not appended twice.";

    protected override CompiledBlock? Compile(AppendToNotebookSpecs specs, BlockCompileContext context)
    {
        if (string.IsNullOrWhiteSpace(specs.NotebookId))
        {
            context.AddError("notebook_id", $"Block '{context.Definition.BlockId}' needs notebook_id (an existing notebook's id, or {Notebooks.CreateNew} with notebook_name).");
        }
        else if (specs.NotebookId == Notebooks.CreateNew && string.IsNullOrWhiteSpace(specs.NotebookName))
        {
            context.AddError("notebook_name", $"Block '{context.Definition.BlockId}' creates a notebook: give it a notebook_name.");
        }

        if (specs.KeyFields is { Count: 0 })
        {
            context.AddError("key_fields", $"Block '{context.Definition.BlockId}': key_fields must name at least one column (leave it out for no key).");
        }

        return new AppendToNotebookBlock(specs);
    }
}

internal sealed class AppendToNotebookBlock(AppendToNotebookSpecs specs) : RowBlock
{
    public override IReadOnlyList<string> ReadsColumns => specs.KeyFields ?? [];

    public override IReadOnlyList<NotebookReference> ReferencedNotebooks =>
        [specs.NotebookId == Notebooks.CreateNew ? NotebookReference.New : NotebookReference.Existing(specs.NotebookId!)];

    public override async ValueTask ProcessAsync(RowChunk input, ChunkOutput output, BlockRunContext context, CancellationToken cancellationToken)
    {
        var store = Notebooks.Store(context);
        var notebook = specs.NotebookId == Notebooks.CreateNew
            ? await store.CreateIfAbsentAsync(context.OrgId, Notebooks.NewId(context.WorkflowId, context.BlockId), specs.NotebookName!, specs.KeyFields, context.Time.GetUtcNow(), cancellationToken)
                ?? throw new InvalidOperationException($"Block '{context.BlockId}': the notebook it creates exists in another organization.")
            : await Notebooks.RequireAsync(context, specs.NotebookId!, cancellationToken);

        var appended = input.Rows;
        var keyFields = specs.KeyFields ?? notebook.KeyFields;
        if (keyFields is not null)
        {
            var keys = new RowKeys(keyFields, specs.Normalize);
            var owned = new List<(Row Row, byte[] Key, long Owner)>(input.Count);
            foreach (var row in input.Rows)
            {
                if (keys.KeyOf(row, out _) is { } key)
                {
                    owned.Add((row, key, Notebooks.Owner(context.RunId, row.Index)));
                }
            }

            var index = Notebooks.Keys(context);
            var scope = KeyScopes.Notebook(notebook.Id);
            await index.RecordAsync(scope, [.. owned.Select(o => new KeyEntry(o.Key, o.Owner))], KeyKeep.Existing, cancellationToken);
            var holders = await index.LookupAsync(scope, [.. owned.Select(o => o.Key)], cancellationToken);
            appended = [.. owned.Where((o, i) => holders[i] == o.Owner).Select(o => o.Row)];
        }

        if (appended.Count > 0)
        {
            var segmentKey = $"{context.RunId:N}/{context.BlockId}/{input.Index:D7}";
            var blobKey = $"notebooks/{notebook.Id}/segments/{context.RunId:N}-{context.BlockId}-{input.Index:D7}.efc";
            using (var buffer = new PooledBuffer(appended.Count * 200))
            {
                ChunkFormat.Write(buffer, new RowChunk(input.Index, appended));
                await using var writer = await Notebooks.Blobs(context).CreateAsync(blobKey, cancellationToken);
                await writer.Stream.WriteAsync(buffer.WrittenMemory, cancellationToken);
                await writer.CommitAsync(cancellationToken);
            }

            await Notebooks.Store(context).AddSegmentAsync(new NotebookSegment(notebook.Id, segmentKey, blobKey, appended.Count, context.Time.GetUtcNow()), cancellationToken);
        }

        foreach (var row in input.Rows)
        {
            output.Emit(row);
        }
    }
}

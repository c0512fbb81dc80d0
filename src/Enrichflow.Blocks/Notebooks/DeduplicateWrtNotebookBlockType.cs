using Enrichflow.Blocks.Dedupe;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;
using Enrichflow.Core.Storage;

namespace Enrichflow.Blocks.Notebooks;

/// <summary>
/// <c>deduplicate_wrt_notebook</c> ("Deduplicate with Notebook"): drops rows whose key is already in the
/// notebook, so a recurring workflow never processes a record twice.
/// </summary>
public sealed class DeduplicateWrtNotebookBlockType : BlockType<DeduplicateWrtNotebookSpecs>
{
    public override string Name => "deduplicate_wrt_notebook";

    public override string SpecsExample => """
        {"notebook_id": "0193b7e4-5a2c-7d41-9c3e-2f1a6b8d4e90", "key_fields": ["email"]}
        """;

    public override string Description =>
        "Drops rows whose key is already in a notebook (key_fields, or the notebook's own), so a recurring workflow never processes a record twice.";

    protected override CompiledBlock? Compile(DeduplicateWrtNotebookSpecs specs, BlockCompileContext context)
    {
        if (string.IsNullOrWhiteSpace(specs.NotebookId) || specs.NotebookId == Notebooks.CreateNew)
        {
            context.AddError("notebook_id", $"Block '{context.Definition.BlockId}' needs the notebook_id of an existing notebook.");
        }

        return new DeduplicateWrtNotebookBlock(specs);
    }
}

internal sealed class DeduplicateWrtNotebookBlock(DeduplicateWrtNotebookSpecs specs) : RowBlock
{
    public override IReadOnlyList<string> ReadsColumns => specs.KeyFields ?? [];

    public override IReadOnlyList<NotebookReference> ReferencedNotebooks => [NotebookReference.Existing(specs.NotebookId!)];

    public override async ValueTask ProcessAsync(RowChunk input, ChunkOutput output, BlockRunContext context, CancellationToken cancellationToken)
    {
        var notebook = await Notebooks.RequireAsync(context, specs.NotebookId!, cancellationToken);
        var keyFields = specs.KeyFields ?? notebook.KeyFields;
        var keys = new RowKeys(keyFields, specs.Normalize);
        var rows = new List<(Row Row, byte[] Key)>(input.Count);
        foreach (var row in input.Rows)
        {
            if (keys.KeyOf(row, out var missing) is { } key)
            {
                rows.Add((row, key));
            }
            else
            {
                output.Reject(row, $"deduplicate_wrt_notebook: key column '{missing}' is missing");
            }
        }

        var found = await Notebooks.Keys(context).LookupAsync(KeyScopes.Notebook(notebook.Id), [.. rows.Select(r => r.Key)], cancellationToken);
        for (var i = 0; i < rows.Count; i++)
        {
            if (found[i] >= 0)
            {
                output.Reject(rows[i].Row, $"deduplicate_wrt_notebook: already in notebook '{notebook.Name}' ({notebook.Id})");
            }
            else
            {
                output.Emit(rows[i].Row);
            }
        }
    }
}

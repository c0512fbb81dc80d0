using System.Runtime.CompilerServices;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Buffers;
using Enrichflow.Core.Rows;

namespace Enrichflow.Blocks.Notebooks;

/// <summary><c>read_notebook</c>: a source that streams a notebook's rows, segment by segment, in append order.</summary>
public sealed class ReadNotebookBlockType : BlockType<ReadNotebookSpecs>
{
    public override string Name => "read_notebook";

    public override string SpecsExample => """
        {"notebook_id": "0193b7e4-5a2c-7d41-9c3e-2f1a6b8d4e90", "dataframe_type": "LEAD"}
        """;

    public override string Description => "Streams the rows of an org-level notebook, in the order they were appended.";

    public override BlockRole Role => BlockRole.Source;

    protected override CompiledBlock? Compile(ReadNotebookSpecs specs, BlockCompileContext context)
    {
        if (string.IsNullOrWhiteSpace(specs.NotebookId) || specs.NotebookId == Notebooks.CreateNew)
        {
            context.AddError("notebook_id", $"Block '{context.Definition.BlockId}' needs the notebook_id of an existing notebook.");
        }

        DataframeType? declared = specs.DataframeType?.Trim().ToUpperInvariant() switch
        {
            null or "" => null,
            "LEAD" => DataframeType.Lead,
            "COMPANY" => DataframeType.Company,
            _ => Invalid(context, specs.DataframeType!),
        };
        return new ReadNotebookBlock(specs.NotebookId!, declared);
    }

    private static DataframeType? Invalid(BlockCompileContext context, string value)
    {
        context.AddError("dataframe_type", $"Block '{context.Definition.BlockId}': dataframe_type must be LEAD or COMPANY (got '{value}').");
        return null;
    }
}

internal sealed class ReadNotebookBlock(string notebookId, DataframeType? declared) : SourceBlock
{
    public override DataframeType? DeclaredType => declared;

    public override SourceInputKind InputKind => SourceInputKind.Notebook;

    public override IReadOnlyList<NotebookReference> ReferencedNotebooks => [NotebookReference.Existing(notebookId)];

    public override async IAsyncEnumerable<SourceRecord> ReadAsync(SourceInput input, BlockRunContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var notebook = await Notebooks.RequireAsync(context, notebookId, cancellationToken);
        var blobs = Notebooks.Blobs(context);
        long index = 0;
        foreach (var segment in await Notebooks.Store(context).ListSegmentsAsync(notebook.Id, cancellationToken))
        {
            RowChunk chunk;
            await using (var stream = await blobs.OpenReadAsync(segment.BlobKey, cancellationToken))
            using (var bytes = await PooledBuffer.ReadFromAsync(stream, cancellationToken))
            {
                chunk = ChunkFormat.Parse(bytes.WrittenSpan);
            }

            foreach (var row in chunk.Rows)
            {
                yield return SourceRecord.Of(row.CopyAs(index++));
            }
        }
    }
}

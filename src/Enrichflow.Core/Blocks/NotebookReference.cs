namespace Enrichflow.Core.Blocks;

/// <summary>
/// A notebook a block reads or writes (<see cref="CompiledBlock.ReferencedNotebooks"/>): an existing one by id, or one the
/// block creates on its first run (<c>__create_new__</c>). A run is refused before it is queued when an existing
/// one is missing.
/// </summary>
public sealed record NotebookReference
{
    private NotebookReference(string? notebookId) => NotebookId = notebookId;

    /// <summary>The notebook's id; null when the block creates its notebook.</summary>
    public string? NotebookId { get; }

    /// <summary>True when the block creates the notebook itself, so it need not exist before the run.</summary>
    public bool CreatesNew => NotebookId is null;

    public static NotebookReference Existing(string notebookId) => new(notebookId);

    public static NotebookReference New { get; } = new((string?)null);
}

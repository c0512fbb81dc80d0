namespace Enrichflow.Core.Storage;

/// <summary>An org-level persistent table (docs/api.md §7): rows appended by runs, in segments, with an optional key.</summary>
public sealed record NotebookRecord(
    string Id,
    string OrgId,
    string Name,
    IReadOnlyList<string>? KeyFields,
    long RowCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A batch of rows appended to a notebook by one unit (stored as a blob).</summary>
public sealed record NotebookSegment(string NotebookId, string SegmentKey, string BlobKey, long RowCount, DateTimeOffset AppendedAt);

/// <summary>Notebooks and their segments. Their keys live in the <see cref="IKeyIndexStore"/> under <see cref="KeyScopes.Notebook"/>.</summary>
public interface INotebookStore
{
    /// <summary>Creates the notebook unless it exists (same id); returns it either way. Null when the id belongs to another organization.</summary>
    Task<NotebookRecord?> CreateIfAbsentAsync(string orgId, string id, string name, IReadOnlyList<string>? keyFields, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The notebook, or null when it does not exist or belongs to another organization.</summary>
    Task<NotebookRecord?> GetNotebookAsync(string orgId, string id, CancellationToken cancellationToken);

    /// <summary>The organization's notebooks, most recently updated first.</summary>
    Task<IReadOnlyList<NotebookRecord>> ListNotebooksAsync(string orgId, CancellationToken cancellationToken);

    /// <summary>Deletes the notebook and its segment records; false when it does not exist for this organization.</summary>
    Task<bool> DeleteNotebookAsync(string orgId, string id, CancellationToken cancellationToken);

    /// <summary>Records a segment once (by its key): a repeated call adds nothing. Returns true the first time.</summary>
    Task<bool> AddSegmentAsync(NotebookSegment segment, CancellationToken cancellationToken);

    /// <summary>The notebook's segments in the order they were added.</summary>
    Task<IReadOnlyList<NotebookSegment>> ListSegmentsAsync(string notebookId, CancellationToken cancellationToken);
}

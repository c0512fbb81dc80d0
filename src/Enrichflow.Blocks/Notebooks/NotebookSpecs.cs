namespace Enrichflow.Blocks.Notebooks;

/// <summary>Specs of <c>append_to_notebook</c>.</summary>
/// <param name="NotebookId">The notebook, or <c>__create_new__</c> to create one (named <paramref name="NotebookName"/>) for this workflow.</param>
/// <param name="KeyFields">Columns that make a row's key; a row whose key is already in the notebook is not appended again.</param>
public sealed record AppendToNotebookSpecs(string? NotebookId = null, string? NotebookName = null, IReadOnlyList<string>? KeyFields = null, bool Normalize = true);

/// <summary>Specs of <c>deduplicate_wrt_notebook</c>.</summary>
/// <param name="KeyFields">Columns that make a row's key; the notebook's own key fields when absent.</param>
public sealed record DeduplicateWrtNotebookSpecs(string? NotebookId = null, IReadOnlyList<string>? KeyFields = null, bool Normalize = true);

/// <summary>Specs of <c>read_notebook</c>.</summary>
public sealed record ReadNotebookSpecs(string? NotebookId = null, string? DataframeType = null);

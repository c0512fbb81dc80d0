using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Enrichflow.Blocks.Notebooks;

/// <summary>Specs of <c>append_to_notebook</c>.</summary>
public sealed record AppendToNotebookSpecs(
    [property: Description("The notebook appended to, or __create_new__ to create one (named notebook_name) for this workflow.")] string? NotebookId = null,
    [property: Description("The name of the notebook created with notebook_id __create_new__.")] string? NotebookName = null,
    [property: Description("Columns that make a row's key; a row whose key is already in the notebook is not appended again.")] IReadOnlyList<string>? KeyFields = null,
    [property: Description("Trim and lower-case text before comparing keys.")] bool Normalize = true);

/// <summary>Specs of <c>deduplicate_wrt_notebook</c>.</summary>
public sealed record DeduplicateWrtNotebookSpecs(
    [property: Description("The notebook whose keys a row must not have.")] string? NotebookId = null,
    [property: Description("Columns that make a row's key; the notebook's own key fields when absent.")] IReadOnlyList<string>? KeyFields = null,
    [property: Description("Trim and lower-case text before comparing keys.")] bool Normalize = true);

/// <summary>Specs of <c>read_notebook</c>.</summary>
public sealed record ReadNotebookSpecs(
    [property: Description("The notebook whose rows the run reads.")] string? NotebookId = null,
    [property: Description("The kind of rows the notebook holds (any case); undeclared when absent.")][property: AllowedValues("LEAD", "COMPANY")] string? DataframeType = null);

using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Enrichflow.Blocks.Dedupe;

/// <summary>Specs of <c>deduplicate</c> (docs/api.md §5).</summary>
public sealed record DeduplicateSpecs(
    [property: Description("The columns that make a row's key; every column when absent.")] IReadOnlyList<string>? KeyFields = null,
    [property: Description("Trim and lower-case text before comparing keys.")] bool Normalize = true,
    [property: Description("Which occurrence of a key stays: the first or the last in input order.")][property: AllowedValues("first", "last")] string Keep = "first");

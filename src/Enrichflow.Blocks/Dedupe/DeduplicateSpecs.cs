namespace Enrichflow.Blocks.Dedupe;

/// <summary>Specs of <c>deduplicate</c> (docs/api.md §5).</summary>
/// <param name="KeyFields">The columns that make a row's key; every column when absent.</param>
/// <param name="Normalize">Trim and lower-case text before comparing.</param>
/// <param name="Keep"><c>first</c> or <c>last</c>: which occurrence of a key stays.</param>
public sealed record DeduplicateSpecs(IReadOnlyList<string>? KeyFields = null, bool Normalize = true, string Keep = "first");

using Enrichflow.Core.Blocks;
using Enrichflow.Core.Storage;

namespace Enrichflow.Blocks.Dedupe;

/// <summary>
/// <c>deduplicate</c>: drops repeats within a run. Deterministic whatever the chunk timing: the first pass spills
/// each chunk's keys to the blob store; the second pass finds, per key, the lowest (keep first) or highest (keep
/// last) row index (<see cref="Spill.KeySpill"/>), keeps exactly that row and sends the others to rejects with the
/// key and the kept row.
/// </summary>
public sealed class DeduplicateBlockType : BlockType<DeduplicateSpecs>
{
    public override string Name => "deduplicate";

    public override string SpecsExample => """
        {"key_fields": ["email"], "normalize": true, "keep": "first"}
        """;

    public override string Description =>
        "Drops rows whose key (key_fields, or every column) was seen in the run, keeping the first or last occurrence; " +
        "keys are spilled to hash-partitioned blobs, so memory does not grow with the run. Dropped rows go to rejects with the key and the kept row's index.";

    protected override CompiledBlock? Compile(DeduplicateSpecs specs, BlockCompileContext context)
    {
        var keep = specs.Keep?.Trim().ToLowerInvariant();
        if (keep is not ("first" or "last"))
        {
            context.AddError("keep", $"Block '{context.Definition.BlockId}': keep must be 'first' or 'last' (got '{specs.Keep}').");
        }

        if (specs.KeyFields is { } fields)
        {
            if (fields.Count == 0)
            {
                context.AddError("key_fields", $"Block '{context.Definition.BlockId}': key_fields must name at least one column (leave it out to use every column).");
            }

            for (var i = 0; i < fields.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(fields[i]))
                {
                    context.AddError(["key_fields", i], $"Block '{context.Definition.BlockId}': key_fields[{i}] is empty.");
                }
            }
        }

        return new DeduplicateBlock(specs.KeyFields, specs.Normalize, keep == "last" ? KeyKeep.Last : KeyKeep.First);
    }
}

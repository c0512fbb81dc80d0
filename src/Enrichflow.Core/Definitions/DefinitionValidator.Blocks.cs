using System.Runtime.InteropServices;
using Enrichflow.Core.Blocks;

namespace Enrichflow.Core.Definitions;

// The blocks one by one: unique ids and sequence numbers, a known block type, specs compiled.
public sealed partial class DefinitionValidator
{
    private ((BlockType Type, CompiledBlock? Block)?[] Compiled, BlockCompileContext?[] Contexts) CompileBlocks(
        WorkflowDefinition definition, List<DefinitionError> errors, List<DefinitionWarning> warnings)
    {
        var result = new (BlockType, CompiledBlock?)?[definition.Blocks.Count];
        var contexts = new BlockCompileContext?[definition.Blocks.Count];
        var knownListed = false;
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var sequences = new HashSet<int>();
        for (var i = 0; i < definition.Blocks.Count; i++)
        {
            var block = definition.Blocks[i];
            if (!Identifiers.IsValid(block.BlockId))
            {
                // The id names the block's result files and blob keys: refused here, not when the run writes them.
                errors.Add(Error(["blocks", i, "block_id"], $"Block id '{Identifiers.Shown(block.BlockId)}' is not valid: use {Identifiers.Rule}."));
            }
            else if (!ids.Add(block.BlockId))
            {
                errors.Add(Error(["blocks", i, "block_id"], $"Block id '{block.BlockId}' is used by more than one block."));
            }

            if (!sequences.Add(block.SequenceNumber))
            {
                errors.Add(Error(["blocks", i, "sequence_number"], $"Sequence number {block.SequenceNumber} is used by more than one block."));
            }

            var specsBytes = JsonMarshal.GetRawUtf8Value(block.Specs).Length;
            if (specsBytes > _limits.MaxSpecsBytes)
            {
                errors.Add(Error(["blocks", i, "specs"],
                    $"The specs of block '{block.BlockId}' are {specsBytes} bytes of JSON; at most {InputLimits.Size(_limits.MaxSpecsBytes)} are allowed (Limits:MaxSpecsBytes)."));
                continue;
            }

            var type = registry.Resolve(block.BlockName, block.BlockType);
            if (type is null)
            {
                // The known blocks are listed once per answer, with the first unknown one.
                var known = knownListed ? "" : $" Known blocks: {registry.KnownNames()}.";
                knownListed = true;
                errors.Add(Error(["blocks", i, "block_name"],
                    $"Block '{block.BlockId}' names an unknown block (block_name '{block.BlockName}', block_type '{block.BlockType}').{known}"));
                continue;
            }

            var context = new BlockCompileContext(block, [.. Root, "blocks", i, "specs"], errors, warnings) { Limits = _limits };
            contexts[i] = context;
            result[i] = (type, type.Compile(context));
        }

        return (result, contexts);
    }
}

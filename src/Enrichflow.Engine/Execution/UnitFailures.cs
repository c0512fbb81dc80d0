using Enrichflow.Core.Blocks;
using Enrichflow.Core.Storage;

namespace Enrichflow.Engine.Execution;

/// <summary>Which unit failures are worth another attempt, and how a failed run explains itself.</summary>
public static class UnitFailures
{
    /// <summary>Input that cannot be read will not read better next time, nor will a column the rows do not have appear.</summary>
    public static bool IsPermanent(Exception error) => error is SourceFormatException or MissingColumnException or InvalidOperationException or NotSupportedException;

    public static string Describe(UnitKey unit, Exception error) => error switch
    {
        SourceFormatException e => $"Block '{unit.BlockId}' could not read its input: {e.Message}",
        _ when unit.Kind == UnitKind.Chunk => $"Block '{unit.BlockId}' failed on chunk {unit.Chunk}: {error.Message}",
        _ when unit.Kind == UnitKind.Finalize => $"The run could not be finished: {error.Message}",
        _ => $"Block '{unit.BlockId}' failed: {error.Message}",
    };
}

/// <summary>A block of a fused unit failed: names that block, so the run's error points at it and not at the unit's head.</summary>
public sealed class BlockFailedException(string blockId, Exception inner) : Exception($"Block '{blockId}' failed: {inner.Message}", inner)
{
    public string BlockId { get; } = blockId;
}

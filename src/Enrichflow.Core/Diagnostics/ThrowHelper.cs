using System.Diagnostics.CodeAnalysis;

namespace Enrichflow.Core.Diagnostics;

/// <summary>
/// The errors several parts raise the same way, each with one exact message: a value read back from a store that
/// this build does not know, and a service a block needs that the host did not register.
/// </summary>
public static class ThrowHelper
{
    /// <summary>A stored value no member of its type has (data written by another build, or damaged).</summary>
    /// <param name="what">What the value is, e.g. "run status".</param>
    /// <param name="where">Where it was read, e.g. "the runs table".</param>
    [DoesNotReturn]
    public static T UnknownStoredValue<T>(string what, string value, string where) =>
        throw new InvalidDataException($"Unknown {what} '{value}' in {where}.");

    /// <summary>A block needs a service (<paramref name="what"/>, e.g. "a key index store") that the host did not register.</summary>
    [DoesNotReturn]
    public static T MissingBlockService<T>(string blockId, string what) =>
        throw new InvalidOperationException($"Block '{blockId}' needs {what}, and none is configured.");
}

namespace Enrichflow.Blocks.RowOps;

/// <summary>The operations a <c>transform</c> block applies (<see cref="TransformOperation.Op"/>).</summary>
internal enum TransformOp
{
    Set,
    Expression,
    Rename,
    Drop,
    Lower,
    Upper,
    Trim,
    Concat,
    Split,
    ExtractDomain,
}

/// <summary>The wire names of <see cref="TransformOp"/>, in the order errors and the block's description list them.</summary>
internal static class TransformOps
{
    private static readonly (TransformOp Op, string Name)[] Names =
    [
        (TransformOp.Set, "set"),
        (TransformOp.Expression, "expression"),
        (TransformOp.Rename, "rename"),
        (TransformOp.Drop, "drop"),
        (TransformOp.Lower, "lower"),
        (TransformOp.Upper, "upper"),
        (TransformOp.Trim, "trim"),
        (TransformOp.Concat, "concat"),
        (TransformOp.Split, "split"),
        (TransformOp.ExtractDomain, "extract_domain"),
    ];

    private static readonly Dictionary<string, TransformOp> ByName = Names.ToDictionary(n => n.Name, n => n.Op, StringComparer.Ordinal);

    private static readonly Dictionary<TransformOp, string> ByOp = Names.ToDictionary(n => n.Op, n => n.Name);

    public static string ValidNames { get; } = string.Join(", ", Names.Select(n => n.Name));

    public static string ToWire(this TransformOp op) => ByOp[op];

    /// <summary>The op named by <paramref name="name"/> (surrounding spaces and case ignored).</summary>
    public static bool TryParse(string name, out TransformOp op) => ByName.TryGetValue(name.Trim().ToLowerInvariant(), out op);
}

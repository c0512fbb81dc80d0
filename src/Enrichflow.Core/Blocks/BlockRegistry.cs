namespace Enrichflow.Core.Blocks;

/// <summary>Every registered block type, found by registered name or alias (docs/api.md §2.1, §5).</summary>
public sealed class BlockRegistry
{
    private readonly Dictionary<string, BlockType> _byName = new(StringComparer.OrdinalIgnoreCase);

    public BlockRegistry(IEnumerable<BlockType> types)
    {
        foreach (var type in types)
        {
            All.Add(type);
            _byName.Add(type.Name, type);
            foreach (var alias in type.Aliases)
            {
                _byName.Add(alias, type);
            }
        }
    }

    public List<BlockType> All { get; } = [];

    public BlockType? Find(string? name) => name is not null && _byName.TryGetValue(name, out var type) ? type : null;

    /// <summary>Resolves a block: by <c>block_name</c>, then by <c>block_type</c>.</summary>
    public BlockType? Resolve(string blockName, string blockType) => Find(blockName) ?? Find(blockType);

    public string KnownNames() => string.Join(", ", All.Select(t => t.Name).Order(StringComparer.Ordinal));
}

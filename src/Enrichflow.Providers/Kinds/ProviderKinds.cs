namespace Enrichflow.Providers.Kinds;

/// <summary>
/// Every provider kind this build offers: each <see cref="ProviderKindDescriptor"/> of this assembly, found by
/// reflection (as the block catalogue finds block types), so that a new kind is its <see cref="ProviderKind"/> value
/// and its descriptor's file, and nothing lists the kinds by hand.
/// </summary>
public static class ProviderKinds
{
    /// <summary>Every kind's descriptor, in <see cref="ProviderKind"/> order (the order messages list them).</summary>
    public static IReadOnlyList<ProviderKindDescriptor> All { get; } = Discover();

    /// <summary>The names in configuration, in order: sixtyfour, openai_compatible, http, website, lookup.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(descriptor => descriptor.Name)];

    public static ProviderKindDescriptor Of(ProviderKind kind) => All[(int)kind];

    /// <summary>The kind of that name in configuration (exactly, as read: lower case), or null.</summary>
    public static ProviderKindDescriptor? Find(string? name) =>
        All.FirstOrDefault(descriptor => string.Equals(descriptor.Name, name, StringComparison.Ordinal));

    /// <summary>The kind's name in configuration and in <c>GET /providers</c>: <c>openai_compatible</c>.</summary>
    public static string ToWire(this ProviderKind kind) => Of(kind).Name;

    private static ProviderKindDescriptor[] Discover()
    {
        var found = typeof(ProviderKindDescriptor).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && t.IsSubclassOf(typeof(ProviderKindDescriptor)))
            .Select(t => (ProviderKindDescriptor)Activator.CreateInstance(t, nonPublic: true)!)
            .OrderBy(descriptor => descriptor.Kind)
            .ToArray();
        var kinds = Enum.GetValues<ProviderKind>();
        if (!found.Select(descriptor => descriptor.Kind).SequenceEqual(kinds))
        {
            throw new InvalidOperationException(
                $"Every provider kind needs exactly one descriptor: the kinds are {string.Join(", ", kinds)}, the descriptors are for {string.Join(", ", found.Select(d => d.Kind))}.");
        }

        return found;
    }
}

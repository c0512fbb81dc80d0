namespace Enrichflow.Providers.Kinds;

/// <summary>
/// The provider kinds (docs/api.md §8), in the order messages list them. Each has one sealed
/// <see cref="ProviderKindDescriptor"/> (its name in configuration, defaults, option checks and factory), found by
/// <see cref="ProviderKinds"/>.
/// </summary>
public enum ProviderKind { Sixtyfour, OpenAiCompatible, Http, Website, Lookup }

using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using Enrichflow.Core.Definitions;

namespace Enrichflow.Core.Blocks;

/// <summary>The kind of rows a block takes or yields (docs/api.md §2.1 "row kinds").</summary>
public enum DataframeType { Any, Lead, Company }

public enum BlockRole { Source, Row, Merge }

/// <summary>
/// A registered block: its name, aliases, specs and how to compile a definition's specs into a
/// <see cref="CompiledBlock"/>. The engine knows blocks only through this contract.
/// </summary>
public abstract class BlockType
{
    public abstract string Name { get; }

    public virtual IReadOnlyList<string> Aliases => [];

    /// <summary>
    /// The name Sixtyfour's current API gives this block, when it is one of <see cref="Aliases"/> rather than
    /// <see cref="Name"/>: <c>GET /workflows/blocks</c> lists the block under it, with every other name as an alias.
    /// </summary>
    public virtual string? SixtyfourName => null;

    /// <summary>The name the block catalogue lists: Sixtyfour's current one when it differs from ours.</summary>
    public string ListedName => SixtyfourName ?? Name;

    /// <summary>Every other name the block is accepted under, after <see cref="ListedName"/>.</summary>
    public IReadOnlyList<string> OtherNames => [.. new[] { Name }.Concat(Aliases).Where(n => n != ListedName).Distinct(StringComparer.Ordinal)];

    public abstract string Description { get; }

    /// <summary>What the block takes; <see cref="DataframeType.Any"/> for any kind.</summary>
    public virtual DataframeType Takes => DataframeType.Any;

    /// <summary>What the block yields; null when it yields what it takes.</summary>
    public virtual DataframeType? Yields => null;

    public virtual BlockRole Role => BlockRole.Row;

    /// <summary>
    /// True when the block only computes over the rows it is given (no store, no outside call, no side effect), so an
    /// estimate may run it over a sample of the input to see how many rows it passes on.
    /// </summary>
    public virtual bool RunsOnSample => false;

    /// <summary>
    /// Its compiled blocks may ask for an event when their run ends (<see cref="CompiledBlock.RunEndNotice"/>): the
    /// webhook sender's sweep looks for ended runs with such blocks whose events were never recorded.
    /// </summary>
    public virtual bool SendsRunEndNotices => false;

    public abstract Type SpecsType { get; }

    /// <summary>
    /// Checks the specs and compiles them. Problems go to <paramref name="context"/> with a <c>loc</c> inside
    /// the block's specs; the result is null when there were any.
    /// </summary>
    public abstract CompiledBlock? Compile(BlockCompileContext context);

    /// <summary>The specs as JSON Schema, generated from <see cref="SpecsType"/>.</summary>
    public JsonNode SpecsSchema() => BlockSpecs.Options.GetJsonSchemaAsNode(SpecsType);
}

/// <summary>A block type whose specs are the record <typeparamref name="TSpecs"/>.</summary>
public abstract class BlockType<TSpecs> : BlockType
    where TSpecs : class
{
    public sealed override Type SpecsType => typeof(TSpecs);

    public sealed override CompiledBlock? Compile(BlockCompileContext context)
    {
        TSpecs? specs;
        try
        {
            specs = context.Definition.Specs.Deserialize<TSpecs>(BlockSpecs.Options);
        }
        catch (JsonException e)
        {
            var path = e.Path is { Length: > 2 } p ? p[2..].Split('.', '[', ']').Where(s => s.Length > 0).ToList() : [];
            var field = path.Count > 0 ? string.Join('.', path) : null;
            context.AddError([.. path], $"Invalid specs for block '{context.Definition.BlockId}': {BlockSpecs.Describe(e, field)}");
            return null;
        }

        if (specs is null)
        {
            context.AddError([], $"Specs of block '{context.Definition.BlockId}' must be an object.");
            return null;
        }

        var before = context.ErrorCount;
        var compiled = Compile(specs, context);
        return context.ErrorCount == before ? compiled : null;
    }

    protected abstract CompiledBlock? Compile(TSpecs specs, BlockCompileContext context);
}

/// <summary>Where a block's specs are compiled: the definition and the place to report problems.</summary>
public sealed class BlockCompileContext(BlockDefinition definition, IReadOnlyList<object> specsLoc, List<DefinitionError> errors)
{
    public BlockDefinition Definition { get; } = definition;

    public int ErrorCount => errors.Count;

    public void AddError(IReadOnlyList<object> pathInSpecs, string message) =>
        errors.Add(new DefinitionError([.. specsLoc, .. pathInSpecs], message));

    public void AddError(string field, string message) => AddError([field], message);
}

/// <summary>Serializer settings shared by every block's specs.</summary>
public static class BlockSpecs
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowReadingFromString,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Says what is wrong in a user's words: the field and the kind of value it takes, no .NET type names.</summary>
    internal static string Describe(JsonException e, string? field)
    {
        var message = e.Message;
        var converted = message.IndexOf("could not be converted to ", StringComparison.Ordinal);
        if (converted >= 0)
        {
            var type = message[(converted + "could not be converted to ".Length)..];
            var end = type.IndexOfAny(['.', ' '], type.StartsWith("System.", StringComparison.Ordinal) ? 7 : 0);
            var kind = KindOf(end > 0 ? type[..end] : type, type);
            return field is null ? $"the specs must be {kind}." : $"'{field}' must be {kind}.";
        }

        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        var text = cut > 0 ? message[..cut] : message;
        return field is null ? text : $"'{field}': {text}";
    }

    private static string KindOf(string shortType, string fullType) => shortType switch
    {
        _ when fullType.StartsWith("System.String", StringComparison.Ordinal) => "a string",
        _ when fullType.StartsWith("System.Boolean", StringComparison.Ordinal) => "true or false",
        _ when fullType.StartsWith("System.Int", StringComparison.Ordinal) => "an integer",
        _ when fullType.StartsWith("System.Double", StringComparison.Ordinal) || fullType.StartsWith("System.Decimal", StringComparison.Ordinal) => "a number",
        _ when fullType.Contains("List", StringComparison.Ordinal) || fullType.Contains("[]", StringComparison.Ordinal) => "a list",
        _ when fullType.Contains("Dictionary", StringComparison.Ordinal) => "an object",
        _ => "a value of another shape (see GET /workflows/blocks for the block's specs schema)",
    };
}

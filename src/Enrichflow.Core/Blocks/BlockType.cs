using System.Text.Json;
using System.Text.Json.Nodes;
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
    /// A realistic specs object (JSON text) that validates: <c>GET /workflows/blocks</c> shows it as the schema's
    /// <c>examples</c>, and a test compiles it.
    /// </summary>
    public virtual string? SpecsExample => null;

    /// <summary>
    /// Spec keys Sixtyfour documents for this block that it accepts and ignores: they are not answered with an
    /// "unknown spec" warning.
    /// </summary>
    public virtual IReadOnlyList<string> IgnoredSpecs => [];

    /// <summary>
    /// Checks the specs and compiles them. Problems go to <paramref name="context"/> with a <c>loc</c> inside
    /// the block's specs; the result is null when there were any.
    /// </summary>
    public abstract CompiledBlock? Compile(BlockCompileContext context);

    /// <summary>
    /// The specs as JSON Schema, generated from <see cref="SpecsType"/>: with each property's <c>[Description]</c> and
    /// <c>[AllowedValues]</c>, and <see cref="SpecsExample"/> as <c>examples</c>.
    /// </summary>
    public JsonNode SpecsSchema()
    {
        var schema = BlockSpecs.Schema(SpecsType);
        if (SpecsExample is { } example && schema is JsonObject root)
        {
            root["examples"] = new JsonArray(JsonNode.Parse(example));
        }

        return schema;
    }
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
            var (path, message) = BlockSpecs.Describe(e, typeof(TSpecs));
            context.AddError(path, $"Invalid specs for block '{context.Definition.BlockId}': {message}");
            return null;
        }

        if (specs is null)
        {
            context.AddError([], $"Specs of block '{context.Definition.BlockId}' must be an object.");
            return null;
        }

        BlockSpecs.WarnUnknownKeys(context.Definition.Specs, typeof(TSpecs), IgnoredSpecs, context);

        var before = context.ErrorCount;
        var compiled = Compile(specs, context);
        return context.ErrorCount == before ? compiled : null;
    }

    protected abstract CompiledBlock? Compile(TSpecs specs, BlockCompileContext context);
}

/// <summary>Where a block's specs are compiled: the definition and the place to report problems and warnings.</summary>
public sealed class BlockCompileContext(BlockDefinition definition, IReadOnlyList<object> specsLoc, List<DefinitionError> errors, List<DefinitionWarning>? warnings = null)
{
    private readonly List<DefinitionWarning> _warnings = warnings ?? [];
    private List<(IReadOnlyList<object> Loc, string Column, string Message)>? _columnWarnings;

    public BlockDefinition Definition { get; } = definition;

    /// <summary>The configured input caps (section <c>Limits</c>): record size for sources, expression length.</summary>
    public InputLimits Limits { get; init; } = InputLimits.Default;

    public int ErrorCount => errors.Count;

    /// <summary>Warnings to give when a column already exists at the block; the validator decides once it knows the columns.</summary>
    internal IReadOnlyList<(IReadOnlyList<object> Loc, string Column, string Message)> ColumnWarnings => _columnWarnings ?? [];

    public void AddError(IReadOnlyList<object> pathInSpecs, string message) =>
        errors.Add(new DefinitionError([.. specsLoc, .. pathInSpecs], message));

    public void AddError(string field, string message) => AddError([field], message);

    /// <summary>Something that is not wrong but is likely not meant (docs/api.md §2.1 <c>warnings</c>); the definition still validates.</summary>
    public void AddWarning(IReadOnlyList<object> pathInSpecs, string message) =>
        _warnings.Add(new DefinitionWarning([.. specsLoc, .. pathInSpecs], message));

    public void AddWarning(string field, string message) => AddWarning([field], message);

    /// <summary>
    /// Warns with <paramref name="message"/> when <paramref name="column"/> is already one of the columns known at the
    /// block (a column the block writes that would overwrite or be overwritten by an input column).
    /// </summary>
    public void WarnIfColumnExists(IReadOnlyList<object> pathInSpecs, string column, string message) =>
        (_columnWarnings ??= []).Add(([.. specsLoc, .. pathInSpecs], column, message));
}

/// <summary>Serializer settings shared by every block's specs.</summary>
public static partial class BlockSpecs
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
}
